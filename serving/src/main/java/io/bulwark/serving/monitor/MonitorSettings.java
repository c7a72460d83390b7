package io.bulwark.serving.monitor;

/**
 * Window sizes and thresholds of the input monitor. The rules and why each threshold is where it is are in
 * docs/serving.md ("Monitoring: drift or attack").
 *
 * @param referenceTexts served texts in the reference window (the first ones served, then frozen until re-baselined)
 * @param windowTexts served texts in the current window (the most recent ones after the reference, sliding)
 * @param minWindowTexts current texts needed before any rule is applied
 * @param tokenJs bias-corrected Jensen–Shannon divergence (bits) of the word-bucket histograms that means "shifting"
 * @param lengthPsi population stability index of the length histogram that means "shifting"
 * @param charClassPsi population stability index of the character-class mix that means "shifting"
 * @param embeddingDistance distance between the reference and current centroids of the pooled word embeddings, in
 *     units of its noise floor ({@link EmbeddingDrift}), that means "shifting"
 * @param obfuscationRise rise of the share of texts with an obfuscation indicator that means "attack"
 * @param normalizationRise rise of the mean share of words de-obfuscation rewrote that means "attack"
 * @param minZ z statistic both attack rises need, so that a small window's noise never fires them
 * @param confidencePsi population stability index of a version's confidence on served texts against the canary set,
 *     above which the evidence says that the answers moved
 */
public record MonitorSettings(int referenceTexts, int windowTexts, int minWindowTexts, double tokenJs,
                              double lengthPsi, double charClassPsi, double embeddingDistance, double obfuscationRise,
                              double normalizationRise, double minZ, double confidencePsi) {

    /** 500-text windows, 100 texts minimum, and the thresholds of docs/serving.md. */
    public static final MonitorSettings DEFAULTS = new MonitorSettings(500, 500, 100, 0.05, 0.25, 0.1, 4.0, 0.05, 0.02,
            3.0, 0.25);

    /** Checks the values. */
    public MonitorSettings {
        if (referenceTexts < 1 || windowTexts < 1 || minWindowTexts < 1 || minWindowTexts > windowTexts) {
            throw new IllegalArgumentException("monitor windows must be >= 1 with minimum <= window, got reference "
                    + referenceTexts + ", window " + windowTexts + ", minimum " + minWindowTexts);
        }
        if (!(tokenJs > 0 && lengthPsi > 0 && charClassPsi > 0 && embeddingDistance > 0 && obfuscationRise > 0 && normalizationRise > 0
                && minZ >= 0 && confidencePsi > 0)) {
            throw new IllegalArgumentException("monitor thresholds must be positive");
        }
    }

    /** These settings with other window sizes (the minimum capped at the window). */
    public MonitorSettings withWindows(int reference, int window) {
        return new MonitorSettings(reference, window, Math.min(minWindowTexts, window), tokenJs, lengthPsi,
                charClassPsi, embeddingDistance, obfuscationRise, normalizationRise, minZ, confidencePsi);
    }
}
