package io.bulwark.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Robustness to the greedy character and word edits a spammer can make, with one evading example. */
final class DiscreteAttackSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Discrete attacks: what spammers do\n\n");
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
