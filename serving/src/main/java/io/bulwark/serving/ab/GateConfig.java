package io.bulwark.serving.ab;

/**
 * Settings of the robustness gate.
 *
 * @param margin how far (absolute accuracy) a candidate's robust accuracy may fall below the current A's
 * @param requireReport whether a candidate without a robustness report waits for one (true) or passes (false)
 * @param minExamples held-out examples behind a robust accuracy before it counts as evidence: a champion on fewer
 *     never blocks, a candidate on fewer waits; with a canary set, the canary examples needed before any decision
 * @param confidence one-sided confidence of the canary gate's non-inferiority bound and McNemar test
 */
public record GateConfig(double margin, boolean requireReport, int minExamples, double confidence) {

    /** Held-out examples a report needs before its robust accuracy counts as evidence, by default. */
    public static final int DEFAULT_MIN_EXAMPLES = 50;

    /** One-sided confidence of the canary gate, by default. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    /** The settings with {@link #DEFAULT_MIN_EXAMPLES}. */
    public GateConfig(double margin, boolean requireReport) {
        this(margin, requireReport, DEFAULT_MIN_EXAMPLES);
    }

    /** The settings with {@link #DEFAULT_CONFIDENCE}. */
    public GateConfig(double margin, boolean requireReport, int minExamples) {
        this(margin, requireReport, minExamples, DEFAULT_CONFIDENCE);
    }


    /** Validates the settings. */
    public GateConfig {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("gate margin must be in [0, 1], got " + margin);
        }
        if (minExamples < 1) {
            throw new IllegalArgumentException("gate minimum examples must be >= 1, got " + minExamples);
        }
        if (!(confidence > 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("gate confidence must be in (0.5, 1), got " + confidence);
        }
    }
}
