package io.bulwark.serving.ab;

import java.util.Locale;
import java.util.Optional;

/** Refuses a candidate whose robust accuracy is more than a margin below the robust accuracy of the version A serves. */
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
        double drop = curRobust - candRobust;
        if (drop > config.margin()) {
            return new GateDecision(GateDecision.Outcome.BLOCKED, current, candidate, curRobust, candRobust,
                    String.format(Locale.ROOT,
                            "v%d robust accuracy %.3f is %.3f below A's v%d (%.3f); allowed margin %.3f",
                            candidate, candRobust, drop, current, curRobust, config.margin()),
                    now);
        }
        return new GateDecision(GateDecision.Outcome.PASSED, current, candidate, curRobust, candRobust,
                String.format(Locale.ROOT, "v%d robust accuracy %.3f vs A's v%d %.3f, within margin %.3f",
                        candidate, candRobust, current, curRobust, config.margin()),
                now);
    }
}
