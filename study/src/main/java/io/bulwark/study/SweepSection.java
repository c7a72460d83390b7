package io.bulwark.study;

import static io.bulwark.study.RunGroups.discrete;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The one-at-a-time hyperparameter sweep around the swept variant. */
final class SweepSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Sensitivity: one hyperparameter at a time\n\n");
        if (!"true".equals(results.settings().get("sweep"))) {
            md.append("The sweep was not run.\n\n");
            return;
        }
        String base = results.settings().get("sweepVariant");
        md.append("Shuffled stream, ").append(results.settings().get("driftEncoder")).append(" encoder, ").append(base)
                .append(" with one setting changed; the attack eps stays ").append(results.settings().get("attackEpsilon"))
                .append(" for every row.\n\n| setting | prequential | clean | PGD-20 | char (spam) | train s |\n"
                        + "|---|---:|---:|---:|---:|---:|\n");
        Set<String> names = new LinkedHashSet<>();
        names.add(base);
        names.add(base + "+ema");
        for (RunResult r : results.runs()) {
            if (r.scenario().equals("sweep")) {
                names.add(r.variant());
            }
        }
        for (String name : names) {
            List<RunResult> rs = sweepRuns(runs, name);
            if (rs.isEmpty()) {
                continue;
            }
            Stats pg = Stats.of(rs, RunResult::pgd20);
            Stats cl = Stats.of(rs, RunResult::cleanAccuracy);
            findings.sweepPgd().put(name, pg);
            findings.sweepClean().put(name, cl);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |\n", rs.get(0).display(),
                    Stats.of(rs, RunResult::prequentialAccuracy).percent(), cl.percent(), pg.percent(),
                    Stats.of(rs, r -> discrete(r, "char")).percent(), Stats.of(rs, RunResult::trainSeconds).fixed(1)));
        }
        md.append('\n');
    }

    private static List<RunResult> sweepRuns(RunGroups runs, String variantName) {
        Study.Results results = runs.results();
        List<RunResult> out = new ArrayList<>();
        String enc = results.settings().get("driftEncoder");
        for (RunResult r : results.runs()) {
            if (r.variant().equals(variantName) && r.encoder().equals(enc)
                    && (r.scenario().equals("sweep") || r.scenario().equals("shuffled"))) {
                out.add(r);
            }
        }
        return out;
    }
}
