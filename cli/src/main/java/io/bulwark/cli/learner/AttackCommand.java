package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.GoodWords;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.ExampleReader;
import io.bulwark.model.data.ReaderOptions;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.snapshot.SnapshotFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code attack}: runs the attack suite against a saved model on labeled texts and prints a table. */
@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = CliVersion.class,
        description = {"Attacks a saved model (train --save) with the realistic attack suite: typos, leetspeak,"
                + " homoglyphs, separators, zero-width characters and case games on the most important words,"
                + " deletion, good-word injection, and embedding-space PGD. Prints accuracy under attack, success"
                + " rate, words perturbed and queries per example."},
        footer = {"", "Example:", "  bulwark attack --model target/model.avro --input heldout.jsonl --report target/attack.json"})
public final class AttackCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model saved by train --save (snapshot file, or checkpoint bytes).")
    Path model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "Labeled JSONL/CSV texts to attack (fields 'text' and 'label').")
    Path input;

    @Option(names = "--good-words-from", paramLabel = "FILE",
            description = "Training data the good words are chosen from (default: the bundled corpus minus the input texts).")
    Path goodWordsFrom;

    @Option(names = "--max-texts", paramLabel = "N", defaultValue = "0",
            description = "Attack at most N texts, 0 = all (default: ${DEFAULT-VALUE}).")
    int maxTexts;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the random edits (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    AttackTables.SuiteOptions suiteOptions = new AttackTables.SuiteOptions();

    @Option(names = "--report", paramLabel = "FILE", description = "Write the results as JSON to FILE.")
    Path report;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Example> texts = ExampleReader.readAll(input, ReaderOptions.builder().build());
        GoodWords goodWords = goodWords(texts);
        AttackSuite suite = suiteOptions.builder().optMaxTexts(maxTexts).optSeed(seed).build();
        try (Learner learner = load(model)) {
            List<AttackMetrics> rows = AttackTables.run(suite, learner, texts, goodWords,
                    PgdAttack.defaults(learner.config()));
            out.printf("%s on %s (%s normalisation)%n", model, input, learner.config().normalization());
            out.print(AttackTables.render(rows));
            if (report != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("command", "attack");
                r.put("model", model.toString());
                r.put("input", input.toString());
                r.put("config", learner.config().toMap());
                r.put("attacks", AttackTables.toMap(rows));
                JsonReports.write(report, r);
                out.println("report: " + report);
            }
        }
        return 0;
    }

    private GoodWords goodWords(List<Example> attacked) throws IOException {
        List<Example> source = goodWordsFrom != null ? ExampleReader.readAll(goodWordsFrom, ReaderOptions.builder().build())
                : BundledCorpus.load();
        Set<String> exclude = new HashSet<>();
        attacked.forEach(e -> exclude.add(e.text()));
        List<Example> train = source.stream().filter(e -> !exclude.contains(e.text())).toList();
        return GoodWords.counter().add(train).build(200, 5);
    }

    /** Loads a snapshot file, or checkpoint bytes when the file is not a snapshot. */
    static Learner load(Path file) throws IOException {
        try {
            return Snapshots.fromAvro(SnapshotFiles.read(file), "cpu");
        } catch (IOException notASnapshot) {
            return Learner.restore(Files.readAllBytes(file), "cpu");
        }
    }
}
