package io.bulwark.serving.monitor;

import io.bulwark.serving.ab.ReportPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training-side signals of a model's robustness reports: the gap between the adversarial (PGD) and the clean
 * held-out loss, attack success rate per family of the realistic suite, the mean norm of the adversarial perturbation δ, the training loss, and the divergence from the EMA teacher
 * (only when a teacher exists: the job reports 0 without one).
 */
public final class TrainingSignals {

    private TrainingSignals() {}

    /** Whether any report measured a teacher: without the Bregman term the job reports a teacher drift of 0. */
    public static boolean hasTeacher(List<ReportPoint> reports) {
        return reports.stream().anyMatch(r -> r.teacherDriftKl() > 0);
    }

    /** The newest report's success rate of {@code family}, NaN when absent. */
    public static double successRate(List<ReportPoint> reports, String family) {
        if (reports.isEmpty()) {
            return Double.NaN;
        }
        Double rate = reports.get(reports.size() - 1).attackSuccessRate().get(family);
        return rate == null ? Double.NaN : rate;
    }

    /** The newest report's teacher drift, NaN when no report measured a teacher. */
    public static double teacherDrift(List<ReportPoint> reports) {
        return reports.isEmpty() || !hasTeacher(reports) ? Double.NaN
                : reports.get(reports.size() - 1).teacherDriftKl();
    }

    /** A JSON-friendly view of the newest report's signals, with the previous report's for comparison. */
    public static Map<String, Object> view(List<ReportPoint> reports) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean teacher = hasTeacher(reports);
        m.put("hasTeacher", teacher);
        if (reports.isEmpty()) {
            m.put("version", null);
            return m;
        }
        ReportPoint last = reports.get(reports.size() - 1);
        ReportPoint previous = reports.size() > 1 ? reports.get(reports.size() - 2) : null;
        m.put("version", last.version());
        m.put("previousVersion", previous == null ? null : previous.version());
        m.put("attackSuccessRate", finite(last.attackSuccessRate()));
        m.put("previousAttackSuccessRate", previous == null ? Map.of() : finite(previous.attackSuccessRate()));
        m.put("deltaNorm", finite(last.deltaNorm()));
        m.put("cleanLoss", last.cleanLoss());
        m.put("adversarialLoss", last.adversarialLoss());
        m.put("lossGap", finite(last.lossGap()));
        m.put("loss", finite(last.loss()));
        m.put("cleanAccuracy", finite(last.cleanAccuracy()));
        m.put("robustAccuracy", finite(last.robustAccuracy()));
        m.put("pgdGap", Double.isFinite(last.cleanAccuracy() - last.robustAccuracy())
                ? last.cleanAccuracy() - last.robustAccuracy() : null);
        m.put("teacherDriftKl", teacher ? finite(last.teacherDriftKl()) : null);
        m.put("previousDriftKl", last.previousDriftKl());
        return m;
    }

    private static Map<String, Double> finite(Map<String, Double> in) {
        Map<String, Double> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, finite(v)));
        return out;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
