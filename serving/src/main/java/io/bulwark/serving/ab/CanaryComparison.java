package io.bulwark.serving.ab;

/**
 * What the canary set says about a champion and a candidate: both scored on the same version of the model's
 * canary set, clean and under the attack suite.
 *
 * @param canaryVersion the canary set version both were scored on (or the newest, when not ready)
 * @param canarySize examples in the canary set
 * @param ready whether both versions were scored on {@code canaryVersion}
 * @param pending why the comparison is not ready (null when ready)
 * @param clean the paired table on the clean texts (null when not ready)
 * @param robust the paired table under attack: an example counts as right only if it is right clean and under every
 *     attack family (null when not ready)
 */
public record CanaryComparison(long canaryVersion, int canarySize, boolean ready, String pending, PairedCounts clean,
                               PairedCounts robust) {

    /** A comparison that must wait for scoring. */
    public static CanaryComparison pending(long canaryVersion, int canarySize, String why) {
        return new CanaryComparison(canaryVersion, canarySize, false, why, null, null);
    }

    /** A comparison of both versions on canary version {@code canaryVersion}. */
    public static CanaryComparison of(long canaryVersion, PairedCounts clean, PairedCounts robust) {
        return new CanaryComparison(canaryVersion, clean.n(), true, null, clean, robust);
    }
}
