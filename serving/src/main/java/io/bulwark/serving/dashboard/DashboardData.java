package io.bulwark.serving.dashboard;

import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.metrics.ArmStats;
import io.bulwark.serving.metrics.ServingMetrics;
import io.bulwark.serving.monitor.ServingMonitor;
import io.bulwark.serving.registry.ModelRegistry;
import io.bulwark.serving.registry.ServedModel;
import io.bulwark.serving.ab.ReportPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the JSON document the dashboard page polls: reports per version and over time, serving series, arms. */
public final class DashboardData {

    private final ModelRegistry registry;
    private final ServingMetrics metrics;
    private final ServingMonitor monitor;
    private final double shadowShare;

    /** Creates the builder over the registry, metrics and monitor of one process mirroring {@code shadowShare}. */
    public DashboardData(ModelRegistry registry, ServingMetrics metrics, ServingMonitor monitor, double shadowShare) {
        this.registry = registry;
        this.metrics = metrics;
        this.monitor = monitor;
        this.shadowShare = shadowShare;
    }

    /** The dashboard document for {@code modelId} (null: the first model). */
    public Map<String, Object> build(String modelId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", System.currentTimeMillis());
        List<ServedModel> slots = registry.slots();
        out.put("models", slots.stream().map(ServedModel::modelId).toList());
        out.put("undecodable", registry.undecodable());
        ServedModel slot = null;
        if (modelId != null && !modelId.isEmpty()) {
            slot = registry.require(modelId);
        } else if (!slots.isEmpty()) {
            slot = slots.get(0);
        }
        if (slot == null) {
            out.put("model", null);
            return out;
        }
        String id = slot.modelId();
        out.put("model", id);
        List<Map<String, Object>> reports = new ArrayList<>();
        for (ReportPoint r : slot.reports()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("version", r.version());
            p.put("createdAt", r.createdAt());
            p.put("cleanAccuracy", finite(r.cleanAccuracy()));
            p.put("robustAccuracy", finite(r.robustAccuracy()));
            p.put("teacherDriftKl", finite(r.teacherDriftKl()));
            p.put("deltaNorm", finite(r.deltaNorm()));
            p.put("examplesPerSecond", finite(r.examplesPerSecond()));
            p.put("prequentialAccuracy", finite(r.prequentialAccuracy()));
            p.put("windowSize", r.windowSize());
            p.put("attack", r.attack());
            Map<String, Object> attacks = new LinkedHashMap<>();
            r.attackAccuracy().forEach((name, accuracy) -> attacks.put(name, finite(accuracy)));
            p.put("attacks", attacks);
            Map<String, Object> success = new LinkedHashMap<>();
            r.attackSuccessRate().forEach((name, rate) -> success.put(name, finite(rate)));
            p.put("attackSuccess", success);
            p.put("loss", finite(r.loss()));
            p.put("cleanLoss", r.cleanLoss());
            p.put("adversarialLoss", r.adversarialLoss());
            p.put("lossGap", finite(r.lossGap()));
            reports.add(p);
        }
        out.put("reports", reports);
        List<Map<String, Object>> serving = new ArrayList<>();
        for (ServingMetrics.Sample s : metrics.series(id)) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("t", s.at());
            Map<String, Object> arms = new LinkedHashMap<>();
            for (Map.Entry<String, ServingMetrics.ArmSample> e : s.arms().entrySet()) {
                ServingMetrics.ArmSample a = e.getValue();
                arms.put(e.getKey(), Map.of(
                        "rps", a.requestsPerSecond(),
                        "p50", finiteOrZero(a.p50Millis()),
                        "p99", finiteOrZero(a.p99Millis())));
            }
            p.put("arms", arms);
            serving.add(p);
        }
        out.put("serving", serving);
        Map<String, Object> slotView = slot.toView();
        @SuppressWarnings("unchecked")
        Map<String, Object> experiment = (Map<String, Object>) slotView.get("experiment");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> specs = (List<Map<String, Object>>) experiment.get("arms");
        List<Map<String, Object>> arms = new ArrayList<>();
        Map<String, ArmStats> stats = metrics.arms(id);
        for (Map<String, Object> spec : specs) {
            Map<String, Object> a = new LinkedHashMap<>(spec);
            ArmStats s = stats.get((String) spec.get("arm"));
            if (s != null) {
                a.put("requests", s.requestCount());
                a.put("texts", s.textCount());
                a.put("p50Millis", finite(s.recentLatencyMillis(50)));
                a.put("p99Millis", finite(s.recentLatencyMillis(99)));
                a.put("meanLatencyMillis", finite(s.meanLatencyMillis()));
                a.put("meanInferenceMillis", finite(s.meanInferenceMillis()));
                a.put("accuracy", finite(s.accuracy()));
                a.put("feedback", s.feedbackCount());
            }
            arms.add(a);
        }
        out.put("arms", arms);
        long[] shadow = metrics.shadowCounts(id);
        long[] sampled = metrics.shadowSampledCounts(id);
        Map<String, Object> shadowView = new LinkedHashMap<>();
        shadowView.put("enabled", experiment.get("shadow"));
        shadowView.put("share", shadowShare);
        shadowView.put("mirrored", sampled[0]);
        shadowView.put("skipped", sampled[1]);
        shadowView.put("agree", shadow[0]);
        shadowView.put("disagree", shadow[1]);
        shadowView.put("agreement", shadow[0] + shadow[1] == 0 ? null : (double) shadow[0] / (shadow[0] + shadow[1]));
        out.put("shadow", shadowView);
        Map<String, Double> feedback = new LinkedHashMap<>();
        stats.forEach((arm, st) -> {
            if (Double.isFinite(st.accuracy())) {
                feedback.put(arm, st.accuracy());
            }
        });
        out.put("monitor", monitor.view(slot, feedback));
        out.put("experiment", experiment);
        out.put("versions", slotView.get("versions"));
        out.put("loading", slotView.get("loading"));
        out.put("refused", slotView.get("refused"));
        out.put("canary", slotView.get("canary"));
        out.put("armIds", List.of(Arm.A.id(), Arm.B.id()));
        return out;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static double finiteOrZero(double d) {
        return Double.isFinite(d) ? d : 0;
    }
}
