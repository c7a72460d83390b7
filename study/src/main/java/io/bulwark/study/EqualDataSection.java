package io.bulwark.study;

import java.util.List;

/** Every variant at one pass over the stream (equal data), one table per stream and encoder. */
final class EqualDataSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Equal data: every variant sees each event once\n\n");
        md.append("One pass over the stream for every variant (the costs differ). Robust columns: PGD-10/PGD-20 on the"
                + " held-out tail; char/word edits = accuracy on held-out **spam** under the greedy discrete attack"
                + " (budget ").append(runs.results().settings().get("discreteBudget"))
                .append(" edits). time / natural ="
                        + " training wall time over natural training's on the same stream. spam recall = clean accuracy"
                        + " on held-out spam. **†** = the model predicts one class for the whole held-out tail"
                        + " (in k/n of the runs when marked k/n): its robust accuracy is then trivially equal to its"
                        + " clean accuracy and says nothing about robustness.\n\n");
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                List<RunGroup> gs = runs.groups(scenario, enc);
                if (gs.isEmpty()) {
                    continue;
                }
                RunGroup nat = runs.group(scenario, enc, "natural");
                double nt = nat == null ? Double.NaN : nat.stats(RunResult::trainSeconds).mean();
                md.append("### ").append(scenario).append(" stream, ").append(enc).append(" encoder (equal data)\n\n");
                md.append(RunTable.HEADER);
                gs.forEach(g -> md.append(RunTable.row(g, nt, runs)));
                for (RunGroup g : runs.groups(scenario, "naive-bayes")) {
                    md.append(RunTable.row(g, nt, runs));
                }
                md.append('\n');
            }
        }
    }
}
