package io.bulwark.serving.canary;

import io.bulwark.serving.ab.CanaryComparison;
import io.bulwark.serving.ab.PairedCounts;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each version's answers on the canary set, cached per (version, canary version): a bit mask per example (bit 0:
 * right on the clean text, bit 1 + i: right under family i). A version keeps the masks of the examples of the canary
 * version it was last scored on, so scoring it on a newer canary version only scores the examples that arrived since.
 * Thread-safe.
 */
public final class CanaryScores {

    private static final int CLEAN = 1;

    private final int families;
    private final int all;
    private final Map<Long, Scored> byVersion = new HashMap<>();

    private record Scored(long canaryVersion, Map<Long, Integer> masks) {}

    /**
     * One version's accuracy on one canary version.
     *
     * @param canaryVersion the canary set version
     * @param n examples
     * @param clean examples right on the clean text
     * @param robust examples right on the clean text and under every family
     * @param perFamily examples right under each family of {@link CanaryAttacks#FAMILIES}
     */
    public record Accuracy(long canaryVersion, int n, int clean, int robust, int[] perFamily) {

        /** Clean accuracy (NaN without examples). */
        public double cleanAccuracy() {
            return n == 0 ? Double.NaN : (double) clean / n;
        }

        /** Accuracy under attack (NaN without examples). */
        public double robustAccuracy() {
            return n == 0 ? Double.NaN : (double) robust / n;
        }

        /** A JSON-friendly view. */
        public Map<String, Object> toView() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("canaryVersion", canaryVersion);
            m.put("n", n);
            m.put("cleanAccuracy", n == 0 ? null : cleanAccuracy());
            m.put("robustAccuracy", n == 0 ? null : robustAccuracy());
            Map<String, Object> fam = new LinkedHashMap<>();
            for (int i = 0; i < perFamily.length; i++) {
                fam.put(CanaryAttacks.FAMILIES.get(i), n == 0 ? null : (double) perFamily[i] / n);
            }
            m.put("attacks", fam);
            return m;
        }
    }

    /** Scores with {@code families} attack families per example. */
    public CanaryScores(int families) {
        this.families = families;
        this.all = (1 << (families + 1)) - 1;
    }

    /** The bit mask of one example: right on the clean text, and right under each family. */
    public static int mask(boolean clean, boolean[] attacked) {
        int m = clean ? CLEAN : 0;
        for (int i = 0; i < attacked.length; i++) {
            if (attacked[i]) {
                m |= 1 << (i + 1);
            }
        }
        return m;
    }

    /** The examples of {@code snapshot} that {@code version} has no answer for yet. */
    public synchronized List<CanaryExample> missing(long version, CanarySet.Snapshot snapshot) {
        Scored s = byVersion.get(version);
        return snapshot.examples().stream().filter(e -> s == null || !s.masks().containsKey(e.seq())).toList();
    }

    /** Records that {@code version} answered every example of {@code snapshot}, {@code fresh} holding the new masks. */
    public synchronized void record(long version, CanarySet.Snapshot snapshot, Map<Long, Integer> fresh) {
        Scored old = byVersion.get(version);
        Map<Long, Integer> masks = new HashMap<>(snapshot.size() * 2);
        for (CanaryExample e : snapshot.examples()) {
            Integer m = fresh.get(e.seq());
            if (m == null && old != null) {
                m = old.masks().get(e.seq());
            }
            if (m == null) {
                throw new IllegalArgumentException("v" + version + " has no answer for canary example " + e.seq());
            }
            masks.put(e.seq(), m);
        }
        byVersion.put(version, new Scored(snapshot.version(), masks));
    }

    /** Drops the answers of an evicted version. */
    public synchronized void forget(long version) {
        byVersion.remove(version);
    }

    /** The canary version {@code version} was last scored on, if any. */
    public synchronized Optional<Long> scoredOn(long version) {
        Scored s = byVersion.get(version);
        return s == null ? Optional.empty() : Optional.of(s.canaryVersion());
    }

    /** The accuracy of {@code version} on the canary version it was last scored on. */
    public synchronized Optional<Accuracy> accuracy(long version) {
        Scored s = byVersion.get(version);
        if (s == null) {
            return Optional.empty();
        }
        int clean = 0;
        int robust = 0;
        int[] perFamily = new int[families];
        for (int m : s.masks().values()) {
            clean += m & CLEAN;
            robust += m == all ? 1 : 0;
            for (int i = 0; i < families; i++) {
                perFamily[i] += (m >> (i + 1)) & 1;
            }
        }
        return Optional.of(new Accuracy(s.canaryVersion(), s.masks().size(), clean, robust, perFamily));
    }

    /**
     * The paired tables of two versions scored on the same canary version, or a pending comparison naming the one
     * not yet scored on {@code current}'s newest version both could share.
     */
    public synchronized CanaryComparison compare(long champion, long candidate, CanarySet.Snapshot current) {
        Scored a = byVersion.get(champion);
        Scored b = byVersion.get(candidate);
        if (a == null || b == null || a.canaryVersion() != b.canaryVersion()) {
            long behind = a == null ? champion : b == null ? candidate
                    : a.canaryVersion() < b.canaryVersion() ? champion : candidate;
            return CanaryComparison.pending(current.version(), current.size(),
                    "v" + behind + " is not yet scored on the canary set A's and B's versions share");
        }
        PairedCounts clean = new PairedCounts(0, 0, 0, 0, 0);
        PairedCounts robust = clean;
        for (Map.Entry<Long, Integer> e : a.masks().entrySet()) {
            int ma = e.getValue();
            int mb = b.masks().get(e.getKey());
            clean = clean.plus((ma & CLEAN) != 0, (mb & CLEAN) != 0);
            robust = robust.plus(ma == all, mb == all);
        }
        return CanaryComparison.of(a.canaryVersion(), clean, robust);
    }
}
