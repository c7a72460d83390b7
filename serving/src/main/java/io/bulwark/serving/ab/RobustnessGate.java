package io.bulwark.serving.ab;

import java.util.Locale;
import java.util.Optional;

/**
 * Refuses a candidate that is shown to be worse than the version A serves.
 *
 * <p>When the model has a canary set, the two versions are compared on the same canary examples, clean and under
 * attack, with McNemar's test and a non-inferiority bound ({@link CanaryGate}). Without one, the gate falls back to
 * the robustness reports:
 *
 * <p>The two figures come from reports on different held-out windows, so they are compared as two binomial
 * proportions: the candidate is blocked only when the one-sided 95 % lower bound of the drop
 * ({@code drop - 1.645 * sqrt(pA (1 - pA) / nA + pB (1 - pB) / nB)}) is above the margin. A figure from fewer than
 * {@code minExamples} held-out examples is not evidence: such a champion never blocks a candidate, and such a
 * candidate waits for a report on more examples.
 */
public final class RobustnessGate {

    private final GateConfig config;

    /** Creates a gate with {@code config}. */
    public RobustnessGate(GateConfig config) {
        this.config = config;
    }

    /** The gate's settings. */
    public GateConfig config() {
        return config;
    }

    /** Checks {@code candidate} against {@code current} (null when A serves nothing yet). */
    public GateDecision check(Long current, long candidate, VersionView view, long now) {
        Optional<ReportPoint> cand = view.report(candidate).filter(r -> Double.isFinite(r.robustAccuracy()));
        if (current == null) {
            return new GateDecision(GateDecision.Outcome.PASSED, null, candidate, Double.NaN,
                    cand.map(ReportPoint::robustAccuracy).orElse(Double.NaN),
                    "arm A served no version yet", now);
        }
        Optional<CanaryComparison> paired = view.canary(current, candidate);
        if (paired.isPresent()) {
            return CanaryGate.check(config, current, candidate, paired.get(), now);
        }
        Optional<ReportPoint> cur = view.report(current).filter(r -> Double.isFinite(r.robustAccuracy()));
        double curRobust = cur.map(ReportPoint::robustAccuracy).orElse(Double.NaN);
        if (cand.isEmpty()) {
            if (config.requireReport()) {
                return new GateDecision(GateDecision.Outcome.WAITING, current, candidate, curRobust, Double.NaN,
                        "v" + candidate + " has no robustness report (with a robust accuracy) yet", now);
            }
            return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, curRobust, Double.NaN,
                    "v" + candidate + " has no robustness report; the gate does not require one", now);
        }
        double candRobust = cand.get().robustAccuracy();
        if (cur.isEmpty()) {
            return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, Double.NaN, candRobust,
                    "A's v" + current + " has no robust accuracy to compare with", now);
        }
        int curN = cur.get().windowSize();
        int candN = cand.get().windowSize();
        if (curN < config.minExamples()) {
            return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, curRobust, candRobust,
                    String.format(Locale.ROOT, "A's v%d robust accuracy %.3f rests on %d held-out examples, fewer"
                            + " than %d: it cannot block v%d (%.3f on %d)", current, curRobust, curN,
                            config.minExamples(), candidate, candRobust, candN),
                    now);
        }
        if (candN < config.minExamples()) {
            return new GateDecision(GateDecision.Outcome.WAITING, current, candidate, curRobust, candRobust,
                    String.format(Locale.ROOT, "v%d robust accuracy %.3f rests on %d held-out examples, fewer than"
                            + " %d: waiting for a report on more", candidate, candRobust, candN,
                            config.minExamples()),
                    now);
        }
        double drop = curRobust - candRobust;
        double se = Math.sqrt(curRobust * (1 - curRobust) / curN + candRobust * (1 - candRobust) / candN);
        double lower = drop - 1.645 * se;
        if (lower > config.margin()) {
            return new GateDecision(GateDecision.Outcome.BLOCKED, current, candidate, curRobust, candRobust,
                    String.format(Locale.ROOT,
                            "v%d robust accuracy %.3f is %.3f below A's v%d (%.3f); allowed margin %.3f; 95%% lower"
                                    + " bound of the drop %.3f (n = %d and %d)",
                            candidate, candRobust, drop, current, curRobust, config.margin(), lower, candN, curN),
                    now);
        }
        if (drop > config.margin()) {
            return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, curRobust, candRobust,
                    String.format(Locale.ROOT,
                            "v%d robust accuracy %.3f is %.3f below A's v%d (%.3f), but the 95%% lower bound of the"
                                    + " drop, %.3f (n = %d and %d), is within margin %.3f",
                            candidate, candRobust, drop, current, curRobust, lower, candN, curN, config.margin()),
                    now);
        }
        return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, curRobust, candRobust,
                String.format(Locale.ROOT, "v%d robust accuracy %.3f vs A's v%d %.3f, within margin %.3f",
                        candidate, candRobust, current, curRobust, config.margin()),
                now);
    }
}
