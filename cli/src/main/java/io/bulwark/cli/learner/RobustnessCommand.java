package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.model.attack.RobustnessBenchmark;
import io.bulwark.model.attack.RobustnessBenchmark.Candidate;
import io.bulwark.model.attack.Summary;
import io.bulwark.model.data.BundledCorpus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code robustness}: trains candidate configurations and naive Bayes per seed and runs the attack suite on a random held-out set. */
@Command(name = "robustness", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = CliVersion.class,
        description = {"For each seed: holds out a seeded random set of texts per label of the bundled corpus, trains"
                + " every candidate (and naive Bayes) for one pass on the rest, and runs the attack suite on the"
                + " held-out texts. Prints mean±sd over seeds per attack family and writes a JSON report."},
        footer = {"", "Example:", "  bulwark robustness --seeds 1,2,3 --candidate 'freeat-basic=encoder.normalization=BASIC'"})
public final class RobustnessCommand implements Callable<Integer> {

    /** The candidates measured when none is given. */
    static final List<String> DEFAULT_CANDIDATES = List.of("freeat", "natural=strategy.type=NATURAL",
            "freeat-basic=encoder.normalization=BASIC");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seeds", split = ",", paramLabel = "N,N,...", defaultValue = "1,2,3",
            description = "Seeds of the split, the learners and the attacks (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--candidate", paramLabel = "NAME=key=value;key=value",
            description = "A learner configuration (repeatable; default: freeat, natural, freeat-basic).")
    List<String> candidates = new ArrayList<>();

    @Option(names = "--heldout-per-class", paramLabel = "N", defaultValue = "300",
            description = "Held-out texts per label (default: ${DEFAULT-VALUE}).")
    int heldoutPerClass;

    @Option(names = "--max-texts", paramLabel = "N", defaultValue = "0",
            description = "Attack at most N held-out texts per model and seed, 0 = all (default: ${DEFAULT-VALUE}).")
    int maxTexts;

    @Option(names = "--no-naive-bayes", negatable = true, defaultValue = "true",
            description = "Add the naive Bayes baseline (default: on).")
    boolean naiveBayes;

    @Option(names = "--no-pgd", negatable = true, defaultValue = "true",
            description = "Add embedding-space PGD rows for the learners (default: on).")
    boolean pgd;

    @Mixin
    AttackTables.SuiteOptions suiteOptions = new AttackTables.SuiteOptions();

    @Option(names = "--report", paramLabel = "FILE", defaultValue = "target/robustness.json",
            description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Candidate> parsed = new ArrayList<>();
        for (String c : candidates.isEmpty() ? DEFAULT_CANDIDATES : candidates) {
            try {
                parsed.add(Candidate.parse(c));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--candidate: " + e.getMessage(), e);
            }
        }
        RobustnessBenchmark bench = new RobustnessBenchmark(parsed, seeds, heldoutPerClass,
                suiteOptions.builder().optMaxTexts(maxTexts), naiveBayes, pgd);
        List<RobustnessBenchmark.Run> runs = bench.run(BundledCorpus.load(), r -> RobustnessBenchmark.describe(r, err));
        Summary summary = new Summary(runs);
        out.printf("%d seeds %s, %d held-out texts per label, attacks on the attacked label's held-out texts%n",
                seeds.size(), seeds, heldoutPerClass);
        out.print(AttackTables.render(summary));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "robustness");
        r.put("seeds", seeds);
        r.put("heldout_per_class", heldoutPerClass);
        r.put("max_texts", maxTexts);
        r.put("char_budget", suiteOptions.charBudget);
        r.put("good_words", suiteOptions.goodWords);
        Map<String, Object> cands = new LinkedHashMap<>();
        parsed.forEach(c -> cands.put(c.name(), c.settings()));
        r.put("candidates", cands);
        r.put("summary", summary.toMap());
        List<Map<String, Object>> raw = new ArrayList<>();
        for (RobustnessBenchmark.Run run : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", run.model());
            m.put("seed", run.seed());
            m.put("clean_accuracy", run.cleanAccuracy());
            m.put("attacks", AttackTables.toMap(run.attacks()));
            raw.add(m);
        }
        r.put("runs", raw);
        JsonReports.write(report, r);
        out.println("report: " + report);
        return 0;
    }
}
