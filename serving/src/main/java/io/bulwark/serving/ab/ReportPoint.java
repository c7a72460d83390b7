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
        Map<String, Double> attackAccuracy) {

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
                attackAccuracy(r));
    }

    /** Accuracy under each family of the attack suite, by name (empty when the report has none). */
    private static Map<String, Double> attackAccuracy(RobustnessReport r) {
        Map<String, Double> out = new TreeMap<>();
        if (r.getAttacks() != null) {
            r.getAttacks().forEach((name, result) -> out.put(name.toString(), result.getAccuracy()));
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
