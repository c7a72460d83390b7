package io.bulwark.study;

import static io.bulwark.study.RunGroups.constantMajority;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Recommended defaults: FreeAT's m, each swept hyperparameter, and whether Bregman/EMA is on. */
final class DefaultsSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Recommended defaults\n\n");
        Map<String, String> s = runs.results().settings();
        List<String> out = new ArrayList<>();
        // m: the smallest FreeAT m whose PGD-20 is within max(2 points, std) of the best FreeAT on the shuffled stream.
        String enc = s.get("driftEncoder");
        List<RunGroup> frees = new ArrayList<>();
        for (RunGroup g : runs.groups("shuffled", enc)) {
            if ("FREEAT".equals(g.first().strategy()) && !g.first().ema() && !constantMajority(g)) {
                frees.add(g);
            }
        }
        if (!frees.isEmpty()) {
            RunGroup best = frees.get(0);
            for (RunGroup g : frees) {
                if (g.stats(RunResult::pgd20).mean() > best.stats(RunResult::pgd20).mean()) {
                    best = g;
                }
            }
            RunGroup pick = best;
            double margin = Math.max(0.02, best.stats(RunResult::pgd20).std());
            for (RunGroup g : frees) {
                if (g.first().steps() < pick.first().steps()
                        && g.stats(RunResult::pgd20).mean() >= best.stats(RunResult::pgd20).mean() - margin
                        && g.stats(RunResult::cleanAccuracy).mean() >= best.stats(RunResult::cleanAccuracy).mean() - 0.02) {
                    pick = g;
                }
            }
            StringBuilder why = new StringBuilder();
            for (RunGroup g : frees) {
                why.append(String.format(Locale.ROOT, " Free-%d: PGD-20 %s, clean %s, %.1f events/s;",
                        g.first().steps(), g.stats(RunResult::pgd20).percent(), g.stats(RunResult::cleanAccuracy)
                                .percent(), g.stats(RunResult::examplesPerSecond).mean()));
            }
            out.add(String.format(Locale.ROOT, "**m = %d**: the smallest m whose PGD-20 robustness is within max(2"
                    + " points, one std) of the best FreeAT and whose clean accuracy is within 2 points (shuffled,"
                    + " %s).%s", pick.first().steps(), enc, why));
        } else {
            out.add("**m**: not measured (no FreeAT variant that learned a working filter on the shuffled stream).");
        }
        Sweep sweep = new Sweep(findings.sweepPgd(), findings.sweepClean(), s.get("sweepVariant"));
        out.add(sweep.pick("eps", s.get("epsilon"), "training radius; the attack radius stays fixed, so a larger"
                + " training eps is only better if it buys robustness at that radius without losing clean accuracy"));
        out.add(sweep.pick("alpha", "learner default (eps)", "FreeAT step; the FreeAT paper uses alpha = eps"));
        out.add(sweep.pick("lr", s.get("learningRate"), "learning rate"));
        out.add(sweep.pick("mu", s.get("mu"), "Bregman weight (with EMA)"));
        out.add(sweep.pick("beta", s.get("beta"), "EMA momentum (with EMA)"));
        out.add(sweep.pick("ramp", s.getOrDefault("epsilonRamp", "0"), "perturbation-radius ramp in training"
                + " examples; 0 starts training at the full radius"));
        out.add(sweep.pick("warmup", s.get("warmup"), "learning-rate warm-up in updates; FreeAT-m makes m updates"
                + " per batch, so it leaves a warm-up counted in updates m times sooner than natural training or PGD"));
        double emaEffectPgd = findings.emaEffectPgd();
        double emaEffectPrequential = findings.emaEffectPrequential();
        if (!Double.isNaN(emaEffectPgd) || !findings.driftForgettingOff().isEmpty()) {
            double off = mean(findings.driftForgettingOff());
            double on = mean(findings.driftForgettingOn());
            // On by default only for a benefit that is there to have: less forgetting where there was some to
            // prevent (forgetting <= 0 means phase-A accuracy did not fall after the shift), or more robustness,
            // and not at the price of more than 2 points of prequential accuracy.
            boolean forgettingHelped = !Double.isNaN(on) && !Double.isNaN(off) && off > 0.01 && on < off - 0.01;
            boolean robustHelped = !Double.isNaN(emaEffectPgd) && emaEffectPgd > 0.005;
            boolean affordable = Double.isNaN(emaEffectPrequential) || emaEffectPrequential > -0.02;
            boolean keep = (forgettingHelped || robustHelped) && affordable;
            String forgetting = Double.isNaN(off) || Double.isNaN(on)
                    ? "forgetting under drift could not be compared (see the drift section)"
                    : String.format(Locale.ROOT, "forgetting under drift went from %.1f to %.1f points%s", 100 * off,
                            100 * on, off <= 0.01 ? " (without it there was no forgetting to prevent)" : "");
            out.add(String.format(Locale.ROOT, "**Bregman/EMA: %s** — on average it changed PGD-20 by %+.1f points and"
                            + " prequential accuracy by %+.1f points over the main grid; %s.",
                    keep ? "on" : "off by default (no benefit here that outweighs its cost)", 100 * emaEffectPgd,
                    100 * emaEffectPrequential, forgetting));
        }
        out.forEach(l -> md.append("- ").append(l).append('\n'));
        md.append("\nA setting is changed from the current default only when the sweep's number beats the default's by"
                + " more than max(2 points, one std) of PGD-20 with clean accuracy within 2 points; otherwise the"
                + " current default stays. With few seeds and a reduced stream these are indications, not"
                + " proofs.\n\n");
        findings.recommendations(out);
    }

    /** Whether a swept value ("10") equals the current default as written in the settings ("10 (learner default)"). */
    static boolean sameAsDefault(String value, String current) {
        String c = current.trim();
        int space = c.indexOf(' ');
        if (space > 0) {
            c = c.substring(0, space);
        }
        try {
            return Double.parseDouble(value) == Double.parseDouble(c);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The sweep's PGD-20 and clean accuracy per setting around the swept variant {@code base}. */
    private record Sweep(Map<String, Stats> pgd, Map<String, Stats> clean, String base) {

        /** The recommendation for {@code param}: the swept value that beats {@code current}, or {@code current}. */
        String pick(String param, String current, String what) {
            boolean emaParam = param.equals("mu") || param.equals("beta");
            String baseName = emaParam ? base + "+ema" : base;
            Stats b = pgd.get(baseName);
            Stats bc = clean.get(baseName);
            if (b == null || pgd.keySet().stream().noneMatch(n -> n.startsWith(baseName + " " + param + "="))) {
                return "**" + param + " = " + current + "** (" + what + "): kept; not swept in this run.";
            }
            String bestName = null;
            Stats best = null;
            StringBuilder seen = new StringBuilder(String.format(Locale.ROOT, "default: PGD-20 %s, clean %s",
                    b.percent(), bc.percent()));
            for (Map.Entry<String, Stats> e : pgd.entrySet()) {
                String name = e.getKey();
                if (!name.startsWith(baseName + " " + param + "=")) {
                    continue;
                }
                if (sameAsDefault(name.substring(name.indexOf(param + "=") + param.length() + 1), current)) {
                    continue; // a sweep setting equal to the default says nothing new
                }
                Stats c = clean.get(name);
                seen.append(String.format(Locale.ROOT, "; %s: PGD-20 %s, clean %s",
                        name.substring(baseName.length() + 1), e.getValue().percent(), c.percent()));
                double margin = Math.max(0.02, Math.max(b.std(), e.getValue().std()));
                if (e.getValue().mean() > b.mean() + margin && c.mean() >= bc.mean() - 0.02
                        && (best == null || e.getValue().mean() > best.mean())) {
                    best = e.getValue();
                    bestName = name.substring(name.indexOf(param + "=") + param.length() + 1);
                }
            }
            if (bestName == null) {
                return "**" + param + " = " + current + "** (" + what + "): keep (" + seen + ").";
            }
            return "**" + param + " = " + bestName + "** (" + what + "): change from " + current + " (" + seen + ").";
        }
    }
}
