package io.bulwark.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report's sections find and later sections use: the claims that held, did not hold or stayed
 * inconclusive (listed at the end of the report), EMA's mean effect over the main grid, forgetting under drift with
 * and without EMA, the sweep's numbers per setting, and the recommended defaults.
 */
final class ReportFindings {

    private final List<String> held = new ArrayList<>();
    private final List<String> notHeld = new ArrayList<>();
    private final List<String> inconclusive = new ArrayList<>();
    private final List<Double> driftForgettingOff = new ArrayList<>();
    private final List<Double> driftForgettingOn = new ArrayList<>();
    private final Map<String, Stats> sweepPgd = new LinkedHashMap<>();
    private final Map<String, Stats> sweepClean = new LinkedHashMap<>();
    private double emaEffectPgd = Double.NaN;
    private double emaEffectPrequential = Double.NaN;
    private List<String> recommendations = List.of();

    /** Claims that held. */
    List<String> held() {
        return held;
    }

    /** Claims that did not hold. */
    List<String> notHeld() {
        return notHeld;
    }

    /** Claims the numbers cannot decide. */
    List<String> inconclusive() {
        return inconclusive;
    }

    /** Mean forgetting under drift without EMA, one entry per drift variant that could be compared. */
    List<Double> driftForgettingOff() {
        return driftForgettingOff;
    }

    /** Mean forgetting under drift with EMA, in the order of {@link #driftForgettingOff()}. */
    List<Double> driftForgettingOn() {
        return driftForgettingOn;
    }

    /** PGD-20 accuracy per sweep setting (variant name). */
    Map<String, Stats> sweepPgd() {
        return sweepPgd;
    }

    /** Clean accuracy per sweep setting (variant name). */
    Map<String, Stats> sweepClean() {
        return sweepClean;
    }

    /** Records EMA's mean change of PGD-20 and prequential accuracy over the pairs run with and without it. */
    void emaEffect(double pgd20, double prequential) {
        emaEffectPgd = pgd20;
        emaEffectPrequential = prequential;
    }

    /** EMA's mean change of PGD-20 accuracy (NaN when no pair was run). */
    double emaEffectPgd() {
        return emaEffectPgd;
    }

    /** EMA's mean change of prequential accuracy (NaN when no pair was run). */
    double emaEffectPrequential() {
        return emaEffectPrequential;
    }

    /** The recommended defaults, one markdown line each. */
    List<String> recommendations() {
        return recommendations;
    }

    void recommendations(List<String> lines) {
        recommendations = List.copyOf(lines);
    }
}
