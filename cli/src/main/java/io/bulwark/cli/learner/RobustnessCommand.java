package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.model.attack.RobustnessBenchmark;
import io.bulwark.model.attack.RobustnessBenchmark.Candidate;
import io.bulwark.model.attack.Summary;
import io.bulwark.model.Example;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.ExampleReader;
import io.bulwark.model.data.ReaderOptions;
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
        description = {"For each seed: holds out a seeded random set of texts per label of the bundled corpus (or"
                + " --input), trains every candidate and the baselines (naive Bayes, optionally fastText) for one pass"
                + " on the rest, and runs the attack suite on the held-out texts. Prints mean±sd over seeds per attack"
                + " family and writes a JSON report."},
        footer = {"", "Examples:", "  bulwark robustness --seeds 1,2,3 --candidate 'freeat-basic=encoder.normalization=BASIC'",
                "  bulwark robustness --seeds 1,2,3 --candidate default --fasttext --input my-labeled.jsonl"})
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

    @Option(names = "--fasttext", defaultValue = "false",
            description = "Add fastText (5 epochs, learning rate 1.0, word bigrams, character 3-5-grams) as a baseline;"
                    + " needs Debian's fasttext program (default: off).")
    boolean fastText;

    @Option(names = "--fasttext-binary", paramLabel = "PATH", defaultValue = "/usr/bin/fasttext",
            description = "The fasttext program (default: ${DEFAULT-VALUE}).")
    Path fastTextBinary;

    @Option(names = "--baselines-only", defaultValue = "false",
            description = "Measure only the baselines (naive Bayes, fastText), no learner candidates.")
    boolean baselinesOnly;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Labeled texts (JSONL or CSV with text and label fields) instead of the bundled corpus.")
    Path input;

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
        for (String c : baselinesOnly ? List.<String>of() : candidates.isEmpty() ? DEFAULT_CANDIDATES : candidates) {
            try {
                parsed.add(Candidate.parse(c));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--candidate: " + e.getMessage(), e);
            }
        }
        List<RobustnessBenchmark.Baseline> baselines = new ArrayList<>();
        if (naiveBayes) {
            baselines.add(RobustnessBenchmark.naiveBayes());
        }
        if (fastText) {
            baselines.add(new FastTextBaseline(fastTextBinary, 5));
        }
        List<Example> data = input == null ? BundledCorpus.load()
                : ExampleReader.readAll(input, ReaderOptions.builder().build());
        RobustnessBenchmark bench = new RobustnessBenchmark(parsed, seeds, heldoutPerClass,
                suiteOptions.builder().optMaxTexts(maxTexts), baselines, pgd);
        List<RobustnessBenchmark.Run> runs = bench.run(data, r -> RobustnessBenchmark.describe(r, err));
        Summary summary = new Summary(runs);
        out.printf("%d seeds %s, %d held-out texts per label, attacks on the attacked label's held-out texts%n",
                seeds.size(), seeds, heldoutPerClass);
        out.print(AttackTables.render(summary));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "robustness");
        r.put("data", input == null ? "bundled corpus" : input.toString());
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
            if (!run.expertWeights().isEmpty()) {
                m.put("expert_weights", new java.util.TreeMap<>(run.expertWeights()));
            }
            raw.add(m);
        }
        r.put("runs", raw);
        JsonReports.write(report, r);
        out.println("report: " + report);
        return 0;
    }
}
