package io.bulwark.serving.canary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each version's confidence (largest class probability) on the clean text of every canary example and whether its
 * label was right: the calibration set of the monitor's label-free accuracy estimate. Kept per (version, canary
 * version) like {@link CanaryScores}: a new round adds the answers of new examples and drops those of examples that
 * left the set. Thread-safe.
 */
public final class CanaryConfidences {

    /** One answer: the confidence and whether the label was right. */
    public record Answer(float confidence, boolean correct) {}

    private final Map<Long, Map<Long, Answer>> byVersion = new HashMap<>();

    /** Records {@code version}'s answers on {@code snapshot}, {@code fresh} holding the newly scored examples. */
    public synchronized void record(long version, CanarySet.Snapshot snapshot, Map<Long, Answer> fresh) {
        Map<Long, Answer> old = byVersion.getOrDefault(version, Map.of());
        Map<Long, Answer> kept = new HashMap<>(snapshot.size() * 2);
        for (CanaryExample e : snapshot.examples()) {
            Answer a = fresh.containsKey(e.seq()) ? fresh.get(e.seq()) : old.get(e.seq());
            if (a != null) {
                kept.put(e.seq(), a);
            }
        }
        byVersion.put(version, kept);
    }

    /** The answers of {@code version} (empty before it is scored). */
    public synchronized List<Answer> answers(long version) {
        return new ArrayList<>(byVersion.getOrDefault(version, Map.of()).values());
    }

    /** Drops the answers of an evicted version. */
    public synchronized void forget(long version) {
        byVersion.remove(version);
    }
}
