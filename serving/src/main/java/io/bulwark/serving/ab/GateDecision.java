package io.bulwark.serving.ab;

/**
 * The outcome of checking one candidate version against the version arm A serves.
 *
 * @param outcome passed, blocked or waiting
 * @param currentVersion the version A served when checked (null when A had none)
 * @param candidateVersion the version checked
 * @param currentRobust the current version's robust accuracy (NaN if unknown)
 * @param candidateRobust the candidate's robust accuracy (NaN if unknown)
 * @param reason a sentence saying why
 * @param at when, epoch milliseconds
 * @param canary the paired canary statistics behind the decision (null for a report-based decision)
 */
public record GateDecision(
        Outcome outcome,
        Long currentVersion,
        long candidateVersion,
        double currentRobust,
        double candidateRobust,
        String reason,
        long at,
        CanaryEvidence canary) {

    /** A report-based decision (no canary statistics). */
    public GateDecision(Outcome outcome, Long currentVersion, long candidateVersion, double currentRobust,
                        double candidateRobust, String reason, long at) {
        this(outcome, currentVersion, candidateVersion, currentRobust, candidateRobust, reason, at, null);
    }

    /** Gate outcomes. */
    public enum Outcome {
        PASSED,
        BLOCKED,
        WAITING
    }
}
