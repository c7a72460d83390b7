package io.bulwark.serving.ab;

import java.util.Locale;

/**
 * Decides on a candidate from a paired comparison with the champion on the same canary examples, clean and under
 * attack: non-inferiority within a margin promotes, a significant loss blocks, anything else waits.
 *
 * <p>The rules, in order: fewer than {@code minExamples} canary examples wait (such a champion cannot block, and
 * the decision is taken again as the canary set grows); when the lower confidence bound of the accuracy difference
 * (candidate minus champion) is at least {@code -margin} both clean and under attack, the candidate passes
 * (non-inferior); when, on either, it is not shown non-inferior and McNemar's exact one-sided test says it is worse
 * (p below 1 - confidence), it is blocked; otherwise it waits.
 */
final class CanaryGate {

    private CanaryGate() {}

    /** The decision on {@code candidate} against {@code champion} from {@code cmp}. */
    static GateDecision check(GateConfig config, long champion, long candidate, CanaryComparison cmp, long now) {
        if (!cmp.ready()) {
            return decision(GateDecision.Outcome.WAITING, champion, candidate,
                    new CanaryEvidence(cmp.canaryVersion(), null, null),
                    "canary set v" + cmp.canaryVersion() + " (" + cmp.canarySize() + " examples): " + cmp.pending(),
                    now);
        }
        PairedTest.Result clean = PairedTest.test(cmp.clean(), config.confidence());
        PairedTest.Result robust = PairedTest.test(cmp.robust(), config.confidence());
        CanaryEvidence evidence = new CanaryEvidence(cmp.canaryVersion(), clean, robust);
        int n = cmp.clean().n();
        String stats = "clean " + describe(clean) + "; under attack " + describe(robust);
        if (n < config.minExamples()) {
            return decision(GateDecision.Outcome.WAITING, champion, candidate, evidence, String.format(Locale.ROOT,
                    "canary set v%d has %d examples, fewer than %d: v%d's figures cannot block v%d yet, waiting for"
                            + " more (%s)", cmp.canaryVersion(), n, config.minExamples(), champion, candidate, stats),
                    now);
        }
        boolean cleanOk = nonInferior(clean, config);
        boolean robustOk = nonInferior(robust, config);
        String vs = String.format(Locale.ROOT, "v%d vs A's v%d on canary set v%d (n = %d, margin %.3f, %.0f%%"
                + " confidence)", candidate, champion, cmp.canaryVersion(), n, config.margin(),
                100 * config.confidence());
        if (cleanOk && robustOk) {
            return decision(GateDecision.Outcome.PASSED, champion, candidate, evidence,
                    vs + ": not worse by more than the margin; " + stats, now);
        }
        double alpha = 1 - config.confidence();
        boolean cleanWorse = !cleanOk && clean.pWorse() < alpha;
        boolean robustWorse = !robustOk && robust.pWorse() < alpha;
        if (cleanWorse || robustWorse) {
            String what = cleanWorse && robustWorse ? "clean and under attack" : cleanWorse ? "clean" : "under attack";
            return decision(GateDecision.Outcome.BLOCKED, champion, candidate, evidence,
                    vs + ": significantly worse " + what + "; " + stats, now);
        }
        return decision(GateDecision.Outcome.WAITING, champion, candidate, evidence,
                vs + ": not enough evidence either way, waiting for more canary examples; " + stats, now);
    }

    private static boolean nonInferior(PairedTest.Result r, GateConfig config) {
        return r.lower() >= -config.margin();
    }

    private static String describe(PairedTest.Result r) {
        return String.format(Locale.ROOT, "%.3f vs %.3f, b = %d, c = %d, difference %+.3f, bounds [%+.3f, %+.3f],"
                        + " McNemar p = %.3g", r.candidateAccuracy(), r.championAccuracy(), r.counts().championOnly(),
                r.counts().candidateOnly(), r.difference(), r.lower(), r.upper(), r.pWorse());
    }

    private static GateDecision decision(GateDecision.Outcome outcome, long champion, long candidate,
                                         CanaryEvidence evidence, String reason, long now) {
        double cur = evidence.robust() == null ? Double.NaN : evidence.robust().championAccuracy();
        double cand = evidence.robust() == null ? Double.NaN : evidence.robust().candidateAccuracy();
        return new GateDecision(outcome, champion, candidate, cur, cand, reason, now, evidence);
    }
}
