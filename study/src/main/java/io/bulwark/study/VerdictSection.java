package io.bulwark.study;

import static io.bulwark.study.RunGroups.constantMajority;
import static io.bulwark.study.RunGroups.discrete;

import java.util.List;
import java.util.Locale;

/**
 * What held and what did not: the cost, discrete-robustness and collapse claims beside the earlier sections'
 * verdicts, then the caveats.
 */
final class VerdictSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        List<String> held = findings.held();
        List<String> notHeld = findings.notHeld();
        List<String> inconclusive = findings.inconclusive();
        md.append("## What held and what did not\n\n");
        // Cost claim: Free-m per event costs ~ m natural passes, PGD-K ~ K+1.
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                RunGroup nat = runs.group(scenario, enc, "natural");
                if (nat == null) {
                    continue;
                }
                double nt = nat.stats(RunResult::trainSeconds).mean();
                for (RunGroup g : runs.groups(scenario, enc)) {
                    RunResult f = g.first();
                    if (!"FREEAT".equals(f.strategy()) || f.ema()) {
                        continue;
                    }
                    double ratio = g.stats(RunResult::trainSeconds).mean() / nt;
                    String claim = String.format(Locale.ROOT, "Free-%d at natural training's cost (%s, %s): measured"
                            + " %.2fx natural's wall time for one pass over the stream", f.steps(), scenario, enc, ratio);
                    (ratio <= 1.25 ? held : notHeld).add(claim);
                }
            }
        }
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                for (RunGroup g : runs.groups(scenario, enc)) {
                    RunResult f = g.first();
                    RunGroup pgd = runs.group(scenario, enc, "pgd-" + (f.steps() - 1));
                    if (!"FREEAT".equals(f.strategy()) || f.ema() || !f.overrides().isEmpty() || pgd == null) {
                        continue;
                    }
                    double ratio = g.stats(RunResult::trainSeconds).mean() / pgd.stats(RunResult::trainSeconds).mean();
                    String claim = String.format(Locale.ROOT, "Free-%d at no more than PGD-%d's cost at equal passes"
                            + " (%s, %s): measured %.2fx PGD-%d's wall time", f.steps(), f.steps() - 1, scenario, enc,
                            ratio, f.steps() - 1);
                    (ratio <= 1.1 ? held : notHeld).add(claim);
                }
            }
        }
        // Discrete robustness: does embedding-space adversarial training help against the spammer's edits?
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                RunGroup nat = runs.group(scenario, enc, "natural");
                if (nat == null || constantMajority(nat)) {
                    continue;
                }
                Stats n = nat.stats(r -> discrete(r, "char"));
                for (RunGroup g : runs.groups(scenario, enc)) {
                    RunResult f = g.first();
                    if (!f.strategy().equals("FREEAT") || f.ema() || constantMajority(g) || n.n() == 0) {
                        continue;
                    }
                    Stats c = g.stats(r -> discrete(r, "char"));
                    // At least one attacked mail more than natural training, beyond seed noise.
                    int mails = g.first().discrete("char") == null ? 1 : Math.max(1, g.first().discrete("char").spam());
                    double margin = Math.max(Math.max(0.02, Math.hypot(c.std(), n.std())), 1.0 / mails + 1e-9);
                    String claim = String.format(Locale.ROOT, "Free-%d more robust than natural training to the"
                            + " character edits on held-out spam (%s, %s): %s vs %s", f.steps(), scenario, enc,
                            c.percent(), n.percent());
                    (c.mean() > n.mean() + margin ? held : notHeld).add(claim);
                }
            }
        }
        int stationary = 0;
        int recoveredRuns = 0;
        int drifting = 0;
        for (RunResult r : results.runs()) {
            CollapseDetector.Collapse c = runs.collapseOf(r);
            if (c != null) {
                if (r.scenario().equals("original")) {
                    drifting++;
                } else if (runs.recoveryBatch(r, c) >= 0) {
                    recoveredRuns++;
                } else {
                    stationary++;
                }
            }
        }
        if (stationary == 0) {
            held.add("No lasting catastrophic overfitting on the shuffled stream under the stated criterion");
        } else {
            notHeld.add(stationary + " run(s) on the shuffled stream showed catastrophic overfitting that did not"
                    + " recover (see the table)");
        }
        if (recoveredRuns > 0) {
            inconclusive.add(recoveredRuns + " run(s) on the shuffled stream lost their probe robustness for a while and"
                    + " recovered it later in the stream (see the table): a transient dip, not the lasting collapse"
                    + " of catastrophic overfitting");
        }
        if (drifting > 0) {
            inconclusive.add(drifting + " run(s) on the original order were flagged by the collapse criterion while"
                    + " the stream's class prior flipped from ham to spam: drift, not necessarily catastrophic"
                    + " overfitting");
        }
        md.append("Held:\n\n");
        if (held.isEmpty()) {
            md.append("- (nothing)\n");
        }
        held.forEach(h -> md.append("- ").append(h).append(".\n"));
        md.append("\nDid not hold:\n\n");
        if (notHeld.isEmpty()) {
            md.append("- (nothing)\n");
        }
        notHeld.forEach(h -> md.append("- ").append(h).append(".\n"));
        if (!inconclusive.isEmpty()) {
            md.append("\nInconclusive:\n\n");
            inconclusive.forEach(h -> md.append("- ").append(h).append(".\n"));
        }
        md.append("\nCaveats: the perturbation lives in the embedding space of a hashed bag-of-n-grams or small"
                + " transformer model, not in pixel space, so eps is not comparable to the paper's 8/255; PGD robust"
                + " accuracy at this eps measures robustness to worst-case embedding noise, while the discrete attacks"
                + " measure what a spammer can actually do. Passes are not equally expensive: PGD's K ascent passes"
                + " compute only the gradient with respect to the perturbation and apply no update, while each of"
                + " FreeAT's m passes also back-propagates into every parameter (the encoder, the head and the"
                + " embedding rows the batch uses) and applies an AdamW update; at equal passes FreeAT therefore does"
                + " m times the updates and pays for them in wall time. ")
                .append(results.complete() ? "" : "The run was interrupted; missing runs are simply absent. ")
                .append("Wall times come from one machine (its load average at the start is in the setup table) and"
                        + " carry its noise: compare them within this report; the passes per event are exact.\n\n");
    }
}
