package io.bulwark.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** FreeAT-m against PGD-(m-1), natural-xm and FreeLB-m, grouped by forward/backward passes per event. */
final class EqualPassesSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Equal passes: FreeAT-m against PGD-(m-1)\n\n");
        md.append("Rows grouped by forward/backward passes per event: FreeAT-m (m passes, m updates), PGD-(m-1)"
                + " (m-1 ascent passes + 1 update pass), natural training replaying each batch m times (m passes,"
                + " m updates, no perturbation) and FreeLB-m when run. Every row sees each event once, so the rows of"
                + " one budget have equal passes **and** equal data.\n\n");
        boolean any = false;
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                Map<Integer, List<RunGroup>> byPasses = new java.util.TreeMap<>();
                for (RunGroup g : runs.groups(scenario, enc)) {
                    int p = (int) Math.round(g.stats(RunResult::passesPerExample).mean());
                    byPasses.computeIfAbsent(p, k -> new ArrayList<>()).add(g);
                }
                RunGroup nat = runs.group(scenario, enc, "natural");
                double nt = nat == null ? Double.NaN : nat.stats(RunResult::trainSeconds).mean();
                StringBuilder block = new StringBuilder();
                for (Map.Entry<Integer, List<RunGroup>> e : byPasses.entrySet()) {
                    boolean hasFree = e.getValue().stream().anyMatch(g -> "FREEAT".equals(g.first().strategy()));
                    boolean hasOther = e.getValue().stream().anyMatch(g -> !"FREEAT".equals(g.first().strategy()));
                    if (e.getKey() < 2 || !hasFree || !hasOther) {
                        continue;
                    }
                    block.append("| **").append(e.getKey()).append(" passes / event** |").append(" |".repeat(13)).append('\n');
                    for (RunGroup g : e.getValue()) {
                        block.append(RunTable.row(g, nt, runs));
                    }
                }
                if (block.length() > 0) {
                    any = true;
                    md.append("### ").append(scenario).append(" stream, ").append(enc)
                            .append(" encoder (equal passes)\n\n").append(RunTable.HEADER).append(block).append('\n');
                }
            }
        }
        if (!any) {
            md.append("No budget with both a FreeAT run and another variant was run.\n\n");
        }
    }
}
