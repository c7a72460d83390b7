package io.bulwark.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Robustness to the greedy character and word edits a spammer can make, with one evading example. */
final class DiscreteAttackSection implements ReportSection {

    /**
     * Where every strategy meets every family of the realistic attack suite ({@code ./bulwark robustness}, 3 seeds),
     * and the verdicts measured there; this section's own probe below attacks only a few mails per class.
     */
    static final String SUITE = "Every strategy (natural, PGD-3, FreeAT-4, FreeLB-3, YOPO-4-3, FreeAT with a per-word"
            + " δ bank or discrete replays) against every family of the realistic attack suite (typos, leetspeak,"
            + " homoglyphs, separators, zero-width characters, case, deletion, good-word injection, HotFlip, embedding"
            + " PGD), over 3 seeds (300 held-out mails per class for clean accuracy, 60 to 300 attacked spam mails per"
            + " seed), naive Bayes and fastText beside them, is measured by `./bulwark robustness` and tabled in [robustness.md](robustness.md#training-that-transfers-every-strategy-and-candidate-against-the-suite)."
            + " Verdicts there:\n\n"
            + "- **Does FreeAT transfer to text attacks? No.** On the network alone, natural, PGD-3, FreeAT-4, FreeLB-3"
            + " and YOPO-4-3 lie within a few points of each other on every text attack (deletion 0.67-0.71, good words"
            + " 0.41-0.55, HotFlip 0.03-0.06 spam recall); embedding-space training buys robustness to embedding-space"
            + " PGD only (0.76-0.89 against 0.46 for natural).\n"
            + "- **At what cost?** FreeAT-4 makes 4 passes per event against natural training's 1 (the equal-data"
            + " tables above), for no gain against text attacks; YOPO-4-3 also costs 1.5 clean points; discrete"
            + " replays are the only strategy that moves text-attack robustness (HotFlip 0.03 to 0.27, good words 0.41"
            + " to 0.58) and cost 2 clean points.\n"
            + "- **What does protect:** the DEOBFUSCATE normalisation (character families) and the whole-text experts"
            + " beside the network (deletion, HotFlip, good words), not the training strategy.\n\n"
            + "The rest of this section is the study's older probe on few mails per class.\n\n";

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Discrete attacks: what spammers do\n\n");
        md.append(SUITE);
        md.append("Greedy black-box search on the model's probabilities (DeepWordBug/TextBugger style): words are ranked"
                + " by how much deleting them lowers the true class's probability; then, up to the budget of ")
                .append(results.settings().get("discreteBudget")).append(" edits per mail, the edit that lowers it most"
                        + " among the top ").append(results.settings().get("discreteTopWords"))
                .append(" words is applied, until the prediction flips. **char**: leetspeak digit (fr3e), Cyrillic"
                        + " homoglyph (оffer), inserted dot (via.gra), dropped inner letter (crdit). **word**:"
                        + " paraphrase from a table of spam vocabulary (free -> complimentary, click -> tap). Attacked: up"
                        + " to ").append(results.settings().get("discreteExamples"))
                .append(" held-out mails per class; robust = right before and after the search.\n\n");
        for (String scenario : runs.scenarios()) {
            md.append("### ").append(scenario).append(" stream\n\n| encoder | variant | clean spam | char spam |"
                    + " word spam | clean ham | char ham | word ham | edits to flip (char) | queries / mail (char) |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            List<String> encs = new ArrayList<>(runs.encoders());
            encs.add("naive-bayes");
            for (String enc : encs) {
                for (RunGroup g : runs.groups(scenario, enc)) {
                    if (g.first().discrete().isEmpty()) {
                        continue;
                    }
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", enc,
                            g.display(), g.stats(r -> sum(r, "char").cleanSpam()).percent(),
                            g.stats(r -> sum(r, "char").robustSpam()).percent(),
                            g.stats(r -> sum(r, "word").robustSpam()).percent(),
                            g.stats(r -> sum(r, "char").cleanHam()).percent(),
                            g.stats(r -> sum(r, "char").robustHam()).percent(),
                            g.stats(r -> sum(r, "word").robustHam()).percent(),
                            g.stats(r -> sum(r, "char").meanEditsToFlip()).fixed(1),
                            g.stats(r -> sum(r, "char").queriesPerMail()).fixed(0)));
                }
            }
            md.append('\n');
        }
        for (RunResult r : results.runs()) {
            DiscreteAttack.Summary s = r.discrete("char");
            if (s != null && !s.example().isEmpty() && !r.naiveBayes()) {
                String ex = s.example().replace("\n", " ").replace("|", "\\|").replace("`", "'");
                if (ex.length() > 240) {
                    ex = ex.substring(0, 240) + " …";
                }
                md.append("Example of a held-out spam that evaded ").append(r.display()).append(" (").append(r.encoder())
                        .append(", seed ").append(r.seed()).append(") after the char attack:\n\n> ").append(ex)
                        .append("\n\n");
                break;
            }
        }
    }

    private static DiscreteAttack.Summary sum(RunResult r, String name) {
        DiscreteAttack.Summary s = r.discrete(name);
        return s != null ? s : new DiscreteAttack.Summary(name, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, "");
    }
}
