package io.bulwark.cli.learner;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.GoodWords;
import io.bulwark.model.attack.Victim;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Attack-suite options shared by {@code attack}, {@code robustness} and {@code train}, and their tables. */
final class AttackTables {

    /** The suite's budgets as command-line options. */
    static final class SuiteOptions {
        @Option(names = "--char-budget", paramLabel = "N", defaultValue = "5",
                description = "Word types edited or deleted per text by the character and deletion attacks (default: ${DEFAULT-VALUE}).")
        int charBudget;

        @Option(names = "--good-words", paramLabel = "N", defaultValue = "20",
                description = "Good words added per text by good-word injection (default: ${DEFAULT-VALUE}).")
        int goodWords;

        @Option(names = "--attack-label", paramLabel = "LABEL",
                description = "Attack only examples of this label (repeatable; default: spam if present, else all).")
        List<String> attackLabels = List.of();

        AttackSuite.Builder builder() {
            return AttackSuite.builder().optCharBudget(charBudget).optGoodWords(goodWords)
                    .optAttackLabels(new java.util.LinkedHashSet<>(attackLabels));
        }
    }

    private AttackTables() {}

    /** The suite against a learner, plus embedding-space PGD as the last row when {@code pgd} is not null. */
    static List<AttackMetrics> run(AttackSuite suite, Learner learner, List<Example> texts, GoodWords goodWords,
            PgdAttack pgd) {
        List<AttackMetrics> rows = new ArrayList<>(suite.run(Victim.of(learner), texts, goodWords, learner));
        if (pgd != null) {
            rows.add(suite.pgd(learner, texts, pgd));
        }
        return rows;
    }

    /** One row per attack: accuracy under attack, success rate, words perturbed, queries. */
    static String render(List<AttackMetrics> rows) {
        TextTable t = new TextTable("attack", "examples", "clean acc.", "acc. under attack", "success rate",
                "words perturbed", "queries/example");
        for (AttackMetrics m : rows) {
            t.row(m.name(), String.valueOf(m.examples()), JsonReports.fraction(m.cleanAccuracy()),
                    JsonReports.fraction(m.accuracy()), JsonReports.fraction(m.successRate()),
                    JsonReports.fraction(m.wordsPerturbed()),
                    Double.isFinite(m.queries()) ? String.format(Locale.ROOT, "%.1f", m.queries()) : "n/a");
        }
        return t.render();
    }

    /** The report form: attack name to its metrics. */
    static Map<String, Object> toMap(List<AttackMetrics> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (AttackMetrics a : rows) {
            m.put(a.name(), a.toMap());
        }
        return m;
    }

    /** Models as columns; clean accuracy, then accuracy under each attack, as mean±sd over seeds. */
    static String render(Summary s) {
        List<String> models = s.models();
        String[] header = new String[models.size() + 1];
        header[0] = "metric (mean±sd over seeds)";
        for (int i = 0; i < models.size(); i++) {
            header[i + 1] = models.get(i);
        }
        TextTable t = new TextTable(header);
        t.row(cells("held-out accuracy (all labels)", models, m -> s.cleanAccuracy(m).format()));
        t.row(cells("attacked class, clean", models, m -> s.attackedCleanAccuracy(m).format()));
        for (String a : s.attacks()) {
            t.row(cells(a, models, m -> s.attack(m, a, AttackMetrics::accuracy).format()));
        }
        return t.render();
    }

    private static String[] cells(String first, List<String> models, java.util.function.Function<String, String> f) {
        String[] c = new String[models.size() + 1];
        c[0] = first;
        for (int i = 0; i < models.size(); i++) {
            c[i + 1] = f.apply(models.get(i));
        }
        return c;
    }
}
