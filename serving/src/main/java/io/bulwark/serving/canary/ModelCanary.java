package io.bulwark.serving.canary;

import io.bulwark.serving.ab.CanaryComparison;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The canary of one model: its canary set and every version's cached answers on it. Thread-safe. */
public final class ModelCanary {

    private final CanarySet set;
    private final CanaryScores scores = new CanaryScores(CanaryAttacks.FAMILIES.size());
    private final CanaryConfidences confidences = new CanaryConfidences();

    /** A canary keeping {@code capacity} examples attacked with {@code attacks}. */
    public ModelCanary(int capacity, CanaryAttacks attacks) {
        this.set = new CanarySet(capacity, attacks);
    }

    /** The canary set. */
    public CanarySet set() {
        return set;
    }

    /** The cached answers. */
    public CanaryScores scores() {
        return scores;
    }

    /** Every version's confidence on the clean canary texts (the monitor's calibration set). */
    public CanaryConfidences confidences() {
        return confidences;
    }

    /** The paired comparison of two versions; empty while the canary set is empty (no canary: report gate). */
    public Optional<CanaryComparison> compare(long champion, long candidate) {
        CanarySet.Snapshot current = set.snapshot();
        if (current.size() == 0) {
            return Optional.empty();
        }
        return Optional.of(scores.compare(champion, candidate, current));
    }

    /** A JSON-friendly view of the set (without the texts). */
    public Map<String, Object> toView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", set.version());
        m.put("size", set.size());
        m.put("capacity", set.capacity());
        m.put("labels", set.labels());
        m.put("duplicates", set.duplicates());
        m.put("attacks", CanaryAttacks.FAMILIES);
        return m;
    }
}
