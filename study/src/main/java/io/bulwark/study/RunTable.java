package io.bulwark.study;

import static io.bulwark.study.RunGroups.discrete;

import java.util.Locale;

/** The table of runs shared by the equal-data and equal-passes sections: its header and one row per group. */
final class RunTable {

    private RunTable() {}

    static final String HEADER = "| variant | passes / event | prequential | clean | spam recall | PGD-10 |"
            + " PGD-20 | PGD-20 spam | char edits (spam) | word edits (spam) | train s | events/s | time / natural |"
            + " collapses |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    static String row(RunGroup g, double naturalSeconds, RunGroups runs) {
        long collapses = g.runs().stream().filter(r -> runs.collapseOf(r) != null).count();
        boolean nb = g.first().naiveBayes();
        long constant = g.runs().stream().filter(RunResult::constantPredictor).count();
        return String.format(Locale.ROOT, "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                g.display(), constant > 0 ? " †" + (constant < g.runs().size() ? constant + "/" + g.runs().size() : "")
                        : "",
                nb ? "–" : String.format(Locale.ROOT, "%.1f", g.stats(RunResult::passesPerExample).mean()),
                g.stats(RunResult::prequentialAccuracy).percent(), g.stats(RunResult::cleanAccuracy).percent(),
                g.stats(RunResult::cleanSpam).percent(),
                nb ? "n/a" : g.stats(RunResult::pgd10).percent(), nb ? "n/a" : g.stats(RunResult::pgd20).percent(),
                nb ? "n/a" : g.stats(RunResult::pgd20Spam).percent(),
                g.stats(r -> discrete(r, "char")).percent(), g.stats(r -> discrete(r, "word")).percent(),
                g.stats(RunResult::trainSeconds).fixed(1), g.stats(RunResult::examplesPerSecond).fixed(0),
                nb || Double.isNaN(naturalSeconds) ? "–"
                        : String.format(Locale.ROOT, "%.2fx", g.stats(RunResult::trainSeconds).mean() / naturalSeconds),
                nb ? "–" : collapses + "/" + g.runs().size());
    }
}
