package io.bulwark.serving.canary;

/**
 * Counts consecutive checks in which the champion's canary accuracy stays below a threshold, and says when they
 * reach the limit (then the champion is rolled back). A check at or above the threshold, or a new champion, resets
 * the count. Not thread-safe: the owner serialises access.
 */
public final class ChampionWatch {

    private final double threshold;
    private final int checks;
    private Long champion;
    private long lastCanaryVersion = -1;
    private int below;

    /** Rolls back after {@code checks} consecutive checks below {@code threshold} (0 turns the watch off). */
    public ChampionWatch(double threshold, int checks) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("rollback threshold must be in [0, 1], got " + threshold);
        }
        if (checks < 1) {
            throw new IllegalArgumentException("rollback checks must be >= 1, got " + checks);
        }
        this.threshold = threshold;
        this.checks = checks;
    }

    /** Whether the watch is on. */
    public boolean enabled() {
        return threshold > 0;
    }

    /** The accuracy threshold. */
    public double threshold() {
        return threshold;
    }

    /** Consecutive checks needed. */
    public int checks() {
        return checks;
    }

    /** Consecutive checks below the threshold so far. */
    public int below() {
        return below;
    }

    /**
     * Records one check of {@code champion}'s accuracy on canary version {@code canaryVersion} (a repeated canary
     * version is not a new check); returns true when the champion has been below the threshold for the set number
     * of consecutive checks.
     */
    public boolean observe(long champion, long canaryVersion, double accuracy) {
        if (!enabled()) {
            return false;
        }
        if (this.champion == null || this.champion != champion) {
            this.champion = champion;
            below = 0;
            lastCanaryVersion = -1;
        }
        if (canaryVersion == lastCanaryVersion) {
            return false;
        }
        lastCanaryVersion = canaryVersion;
        below = accuracy < threshold ? below + 1 : 0;
        return below >= checks;
    }

    /** Forgets the count (after a rollback). */
    public void reset() {
        champion = null;
        below = 0;
        lastCanaryVersion = -1;
    }
}
