package io.bulwark.serving.monitor;

import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.Attack;
import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.ReportPoint;
import io.bulwark.serving.registry.ServedModel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The monitor's Prometheus gauges of one model (all NaN until their statistic is defined), exported by serving's
 * {@code /metrics} as {@code bulwark_serving_monitor_*} and {@code bulwark_serving_report_*}.
 */
final class MonitorGauges {

    /** Attack families the reports may carry: the realistic suite's black-box families, good-word injection and HotFlip. */
    static final List<String> FAMILIES = families();

    private MonitorGauges() {}

    static void register(MeterRegistry meters, ServedModel slot, ModelMonitor m) {
        String id = slot.modelId();
        for (String statistic : List.of("token_js", "length_psi", "char_class_psi", "embedding_centroid_distance",
                "obfuscation_share_rise", "normalization_change_rise")) {
            String signal = statistic.endsWith("_rise") ? "attack" : "drift";
            gauge(meters, "bulwark.serving.monitor.statistic", m, x -> evidence(x, statistic), id,
                    "A statistic of the monitor's rules (drift: de-obfuscated inputs against the reference window;"
                            + " attack: rise of an obfuscation measure)", "signal", signal, "statistic", statistic);
        }
        for (String signal : List.of("shifting", "attack")) {
            gauge(meters, "bulwark.serving.monitor.status", m, x -> status(x, signal), id,
                    "1 when the monitor's rule fired (inputs are shifting / attack pressure is rising), 0 when not,"
                            + " NaN while warming up", "signal", signal);
        }
        gauge(meters, "bulwark.serving.monitor.embedding.distance", m,
                x -> x.embeddingDistance().distance(), id,
                "Euclidean distance between the reference and current centroids of the pooled word embeddings (under"
                        + " the embedding version)", "quantity", "distance");
        gauge(meters, "bulwark.serving.monitor.embedding.distance", m,
                x -> x.embeddingDistance().noiseFloor(), id,
                "Noise floor of the centroid distance: root of its expectation between two samples of one"
                        + " distribution of the windows' sizes", "quantity", "noise_floor");
        gauge(meters, "bulwark.serving.monitor.embedding.version", m, x -> {
            Long v = x.embeddingDistance().version();
            return v == null ? Double.NaN : v;
        }, id, "The version whose pooled word embeddings the centroid distance uses (NaN before one is chosen)");
        for (boolean current : new boolean[] {false, true}) {
            String window = current ? "current" : "reference";
            gauge(meters, "bulwark.serving.monitor.texts", m, x -> x.windowSize(current), id,
                    "Served texts in the monitor's window", "window", window);
            gauge(meters, "bulwark.serving.monitor.normalization.change", m, x -> x.normalizationChange(current), id,
                    "Mean share of a served text's words that de-obfuscation rewrote", "window", window);
            gauge(meters, "bulwark.serving.monitor.obfuscation.share", m, x -> x.obfuscationShare(current, null), id,
                    "Share of served texts with an obfuscation indicator", "window", window, "indicator", "any");
            for (TextProfile.Indicator i : TextProfile.Indicator.values()) {
                gauge(meters, "bulwark.serving.monitor.obfuscation.share", m, x -> x.obfuscationShare(current, i), id,
                        "Share of served texts with an obfuscation indicator", "window", window, "indicator", i.tag());
            }
        }
        for (Arm arm : Arm.values()) {
            gauge(meters, "bulwark.serving.monitor.estimated.accuracy", m,
                    x -> estimate(slot, x, arm, ModelMonitor.Estimate::estimatedAccuracy), id,
                    "Label-free accuracy estimate of the version an arm serves: mean canary-calibrated confidence of"
                            + " its recent answers (CBPE)", "arm", arm.id());
            gauge(meters, "bulwark.serving.monitor.confidence.psi", m,
                    x -> estimate(slot, x, arm, ModelMonitor.Estimate::confidencePsi), id,
                    "PSI of the confidence of an arm's recent answers against its answers on the canary set",
                    "arm", arm.id());
        }
        for (String family : FAMILIES) {
            gauge(meters, "bulwark.serving.report.attack.success.rate", slot,
                    s -> TrainingSignals.successRate(s.reports(), family), id,
                    "Attack success rate per family in the newest robustness report", "family", family);
        }
        gauge(meters, "bulwark.serving.report.delta.norm", slot,
                s -> s.latestReport().map(ReportPoint::deltaNorm).orElse(Double.NaN), id,
                "Mean norm of the adversarial perturbation since the previous snapshot (newest report)");
        gauge(meters, "bulwark.serving.report.loss.gap", slot,
                s -> s.latestReport().map(ReportPoint::lossGap).orElse(Double.NaN), id,
                "Adversarial (PGD) minus clean cross-entropy on the held-out window (newest report; NaN in reports"
                        + " without the two losses)");
        gauge(meters, "bulwark.serving.report.loss", slot,
                s -> s.latestReport().map(ReportPoint::loss).orElse(Double.NaN), id,
                "Mean training loss since the previous snapshot (newest report)");
        gauge(meters, "bulwark.serving.report.teacher.drift", slot, s -> TrainingSignals.teacherDrift(s.reports()), id,
                "Symmetric KL between student and EMA teacher (newest report); NaN when there is no teacher");
    }

    private static <T> void gauge(MeterRegistry meters, String name, T target, ToDoubleFunction<T> f, String model,
                                  String description, String... tags) {
        Gauge.Builder<T> b = Gauge.builder(name, target, f).tag("model", model).description(description)
                .strongReference(true);
        for (int i = 0; i < tags.length; i += 2) {
            b = b.tag(tags[i], tags[i + 1]);
        }
        b.register(meters);
    }

    private static double evidence(ModelMonitor m, String statistic) {
        return m.assess().evidence().stream().filter(e -> e.name().equals(statistic) && e.value() != null)
                .mapToDouble(Assessment.Evidence::value).findFirst().orElse(Double.NaN);
    }

    private static double status(ModelMonitor m, String signal) {
        Assessment a = m.assess();
        if (a.status() == Assessment.Status.WARMING_UP) {
            return Double.NaN;
        }
        return (signal.equals("attack") ? a.attack() : a.shifting()) ? 1 : 0;
    }

    private static double estimate(ServedModel slot, ModelMonitor m, Arm arm,
                                   ToDoubleFunction<ModelMonitor.Estimate> f) {
        ModelMonitor.Estimate e = ServingMonitor.armEstimate(slot, m, arm);
        return e == null ? Double.NaN : f.applyAsDouble(e);
    }

    private static List<String> families() {
        Set<String> names = new LinkedHashSet<>();
        for (Attack a : AttackSuite.builder().build().attacks(null)) {
            names.add(a.name());
        }
        names.add("good-words");
        names.add("hotflip");
        return List.copyOf(names);
    }
}
