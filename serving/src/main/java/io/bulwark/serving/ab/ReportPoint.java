package io.bulwark.serving.ab;

import io.bulwark.avro.RobustnessReport;
import java.util.Map;
import java.util.TreeMap;

/** The fields of one robustness report that serving keeps, shows and gates on. */
public record ReportPoint(
        String modelId,
        long version,
        long createdAt,
        int windowSize,
        double cleanAccuracy,
        double robustAccuracy,
        String attack,
        double loss,
        double deltaNorm,
        double teacherDriftKl,
        Double previousDriftKl,
        double prequentialAccuracy,
        long skippedBatches,
        double examplesPerSecond,
        Map<String, Double> attackAccuracy,
        Map<String, Double> attackSuccessRate,
        Double cleanLoss,
        Double adversarialLoss) {

    /** Copies the fields of an Avro report. */
    public static ReportPoint of(RobustnessReport r) {
        return new ReportPoint(
                r.getModelId(),
                r.getVersion(),
                r.getCreatedAt().toEpochMilli(),
                r.getWindowSize(),
                r.getCleanAccuracy(),
                r.getRobustAccuracy(),
                r.getAttack(),
                r.getLoss(),
                r.getDeltaNorm(),
                r.getTeacherDriftKl(),
                r.getPreviousDriftKl(),
                r.getPrequentialAccuracy(),
                r.getSkippedBatches(),
                r.getExamplesPerSecond(),
                perFamily(r, io.bulwark.avro.AttackResult::getAccuracy),
                perFamily(r, io.bulwark.avro.AttackResult::getSuccessRate),
                r.getCleanLoss(),
                r.getAdversarialLoss());
    }

    /** Adversarial minus clean held-out loss (NaN when the report lacks either). */
    public double lossGap() {
        return cleanLoss == null || adversarialLoss == null ? Double.NaN : adversarialLoss - cleanLoss;
    }

    /** One figure of each family of the attack suite, by name (empty when the report has none). */
    private static Map<String, Double> perFamily(RobustnessReport r,
                                                 java.util.function.ToDoubleFunction<io.bulwark.avro.AttackResult> f) {
        Map<String, Double> out = new TreeMap<>();
        if (r.getAttacks() != null) {
            r.getAttacks().forEach((name, result) -> out.put(name.toString(), f.applyAsDouble(result)));
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
