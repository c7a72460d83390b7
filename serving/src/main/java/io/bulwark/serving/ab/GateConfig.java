package io.bulwark.serving.ab;

/**
 * Settings of the robustness gate.
 *
 * @param margin how far (absolute accuracy) a candidate's robust accuracy may fall below the current A's
 * @param requireReport whether a candidate without a robustness report waits for one (true) or passes (false)
 */
public record GateConfig(double margin, boolean requireReport) {

    /** Validates the settings. */
    public GateConfig {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("gate margin must be in [0, 1], got " + margin);
        }
    }
}
