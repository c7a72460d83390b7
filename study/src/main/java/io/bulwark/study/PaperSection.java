package io.bulwark.study;

import java.util.Locale;

/** The FreeAT paper's CIFAR-10 numbers beside this study's natural, Free-8 and PGD-7 runs. */
final class PaperSection implements ReportSection {

    /** The paper's CIFAR-10 numbers (WRN-32-10, Linf eps = 8), from the authors' repository. */
    private static final String[][] PAPER = {
        {"Natural", "95.01%", "0.00%", "780"},
        {"Free-8", "85.96%", "46.33%", "785"},
        {"7-PGD", "87.25%", "45.53%", "5418"},
    };

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## The paper's numbers beside this study's\n\n");
        md.append("Paper (CIFAR-10, WRN-32-10, Linf eps = 8/255, PGD-20 attack; authors' repository):\n\n"
                + "| training | clean | PGD-20 | time (min) | time / natural |\n|---|---:|---:|---:|---:|\n");
        for (String[] row : PAPER) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2fx |\n", row[0], row[1], row[2], row[3],
                    Double.parseDouble(row[3]) / 780.0));
        }
        md.append('\n');
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                RunGroup nat = runs.group(scenario, enc, "natural");
                RunGroup free = runs.group(scenario, enc, "freeat-8");
                RunGroup pgd = runs.group(scenario, enc, "pgd-7");
                if (nat == null || (free == null && pgd == null)) {
                    continue;
                }
                md.append("This study, ").append(scenario).append(" stream, ").append(enc)
                        .append(" encoder, one pass over the stream (equal data):\n\n")
                        .append("| training | clean | PGD-20 | train time (s) | time / natural | passes / event |\n"
                                + "|---|---:|---:|---:|---:|---:|\n");
                double nt = nat.stats(RunResult::trainSeconds).mean();
                for (RunGroup g : new RunGroup[] {nat, free, pgd}) {
                    if (g == null) {
                        continue;
                    }
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2fx | %.1f |\n", g.display(),
                            g.stats(RunResult::cleanAccuracy).percent(), g.stats(RunResult::pgd20).percent(),
                            g.stats(RunResult::trainSeconds).fixed(0), g.stats(RunResult::trainSeconds).mean() / nt,
                            g.stats(RunResult::passesPerExample).mean()));
                }
                md.append('\n');
            }
        }
    }
}
