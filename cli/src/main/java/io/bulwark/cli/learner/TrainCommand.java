package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.cli.common.LearnerFlags;
import io.bulwark.cli.common.RuntimeOptions;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.StepResult;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.baseline.NaiveBayes;
import io.bulwark.model.data.DataFormat;
import io.bulwark.model.data.ReaderOptions;
import io.bulwark.model.data.StreamOrder;
import io.bulwark.model.snapshot.SnapshotFiles;
import io.bulwark.model.learner.Snapshots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: runs the learner over a labeled stream in order, scoring each batch before training on it
 * (prequential accuracy), then measures clean and PGD-robust accuracy on a held-out tail it never trained on, next
 * to a multinomial naive Bayes filter trained on exactly the same batches.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = CliVersion.class,
        description = {
            "Trains the learner on a labeled JSONL/CSV stream in stream order (default: the bundled SpamAssassin"
                    + " corpus), test-then-train, and reports prequential accuracy, held-out clean and robust"
                    + " accuracy and speed, next to naive Bayes on the same stream.",
            "Labels are the distinct label values of the data (any number of classes)."},
        footer = {"", "Examples:",
            "  bulwark train --strategy freeat --steps 4 --report target/train-freeat.json",
            "  bulwark train --input mails.csv.gz --text-column body --label-column class --strategy pgd --steps 3",
            "  bulwark train --order shuffled --encoder transformer --limit 2000 --save target/model.avro"})
public final class TrainCommand implements Callable<Integer> {

    /** What {@code --save} writes. */
    enum SaveFormat {
        /** A ModelSnapshot Avro container file (Snapshots.toAvro; load with Snapshots.fromAvro). */
        SNAPSHOT,
        /** The learner's checkpoint bytes (Learner.checkpoint; resume with Learner.restore). */
        CHECKPOINT
    }

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "JSONL, CSV or TSV file, optionally gzipped (default: the bundled corpus data/spamassassin.jsonl.gz).")
    Path input;

    @Option(names = "--format", paramLabel = "jsonl|csv|tsv", converter = FormatConverter.class,
            description = "Input format (default: from the file name).")
    DataFormat format;

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = ReaderOptions.DEFAULT_TEXT_FIELD,
            description = "JSON field or CSV column with the text (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--label-column", paramLabel = "NAME", defaultValue = ReaderOptions.DEFAULT_LABEL_FIELD,
            description = "JSON field or CSV column with the label (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--skip-malformed",
            description = "Skip and count malformed lines instead of stopping at the first one.")
    boolean skipMalformed;

    @Option(names = "--order", paramLabel = "original|shuffled|time", defaultValue = "original",
            description = "Stream order: the file's, a seeded shuffle, or by the 'time' field (default: ${DEFAULT-VALUE}).")
    StreamOrder order;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N records of the stream.")
    long limit;

    @Option(names = "--heldout-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Tail of the stream held out from training for clean/robust accuracy (default: ${DEFAULT-VALUE}).")
    double heldoutFraction;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--attack-steps", paramLabel = "N",
            description = "Steps of the embedding-space PGD attack for robust accuracy; 0 skips it (default: 10).")
    Integer attackSteps;

    @Option(names = "--attack-texts", paramLabel = "N", defaultValue = "100",
            description = "Held-out texts of the attacked label (spam if present) the attack suite runs on; 0 skips it (default: ${DEFAULT-VALUE}).")
    int attackTexts;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the results as JSON to FILE.")
    Path report;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the trained model to FILE.")
    Path save;

    @Option(names = "--save-format", paramLabel = "snapshot|checkpoint", defaultValue = "snapshot",
            description = "snapshot: ModelSnapshot Avro file (Snapshots.fromAvro); checkpoint: Learner.checkpoint()"
                    + " bytes (Learner.restore) (default: ${DEFAULT-VALUE}).")
    SaveFormat saveFormat;

    @Option(names = "--model-id", paramLabel = "ID", defaultValue = "bulwark-cli",
            description = "Model id written into a saved snapshot (default: ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--nb-buckets", paramLabel = "N", defaultValue = "0",
            description = "Naive Bayes: hash words into N slots; 0 = exact vocabulary (default: ${DEFAULT-VALUE}).")
    int nbBuckets;

    @Option(names = "--curve-points", paramLabel = "N", defaultValue = "20",
            description = "Points of the prequential accuracy curve in the report (default: ${DEFAULT-VALUE}).")
    int curvePoints;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|off", defaultValue = "auto",
            description = "Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (default: ${DEFAULT-VALUE}).")
    ProgressReporter.Mode progress;

    @Override
    public Integer call() throws Exception {
        long wallStart = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        validate();
        ReaderOptions readerOptions = readerOptions();

        try (TrainingData data = TrainingData.open(input, readerOptions, order, LearnerFlags.seed(spec), limit,
                heldoutFraction)) {
            if (data.skippedRecords() > 0) {
                err.printf(Locale.ROOT, "skipped %d malformed record(s) of %s, e.g. %s%n", data.skippedRecords(),
                        data.path(), data.errors().get(0));
            }
            if (data.labels().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "No labeled records in " + data.path()
                        + " (label field '" + labelColumn + "'); use --label-column to name it");
            }
            if (data.labels().size() < 2) {
                err.println("warning: the stream has a single label " + data.labels() + "; accuracy is trivial");
            }
            if (data.trainCount() < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Nothing left to train on: "
                        + data.total() + " records with --heldout-fraction " + heldoutFraction);
            }
            LearnerConfig config = config(data.labels());
            runtime.applyThreads();
            return run(config, data, out, err, wallStart);
        }
    }

    private Integer run(LearnerConfig config, TrainingData data, PrintWriter out, PrintWriter err, long wallStart)
            throws IOException {
        String requestedDevice = runtime.device();
        try (Learner learner = Learner.create(config, requestedDevice)) {
            if (requestedDevice.startsWith("gpu") && !learner.device().toLowerCase(Locale.ROOT).contains("gpu")) {
                err.println("warning: no GPU available, running on " + learner.device());
            }
            NaiveBayes nb = NaiveBayes.builder().optLabels(data.labels()).optBuckets(nbBuckets).build();
            NaiveBayes nbShort = NaiveBayes.builder().optLabels(data.labels()).optBuckets(nbBuckets)
                    .optMaxTokens(config.maxLength()).build();

            TrainTotals stream = train(learner, nb, nbShort, data, config, err);
            List<Example> heldout = TrainTotals.labeled(data.heldout());
            long evalStart = System.nanoTime();
            Evaluation eval = evaluate(learner, heldout, config, err);
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            double nbHeldout = nb.accuracy(heldout);
            double nbShortHeldout = nbShort.accuracy(heldout);
            List<AttackMetrics> attacks = attackTexts == 0 ? List.of() : AttackTables.run(AttackSuite.builder()
                    .optMaxTexts(attackTexts).optSeed(config.seed()).build(), learner, heldout,
                    stream.goodWords.build(200, 5), attack(config));

            Map<String, Object> results = report(config, learner, data, stream, eval, heldout.size(), nbHeldout,
                    nbShortHeldout, evalSeconds, (System.nanoTime() - wallStart) / 1e9);
            if (save != null) {
                saveModel(learner, stream);
                results.put("saved", Map.of("path", save.toString(),
                        "format", saveFormat.name().toLowerCase(Locale.ROOT)));
            }
            results.put("attacks", AttackTables.toMap(attacks));
            results.put("wall_time_seconds", JsonReports.round((System.nanoTime() - wallStart) / 1e9, 3));
            out.print(table(config, learner, data, stream, eval, nbHeldout, nbShortHeldout));
            if (!attacks.isEmpty()) {
                out.print(AttackTables.render(attacks));
            }
            if (report != null) {
                JsonReports.write(report, results);
                out.println("report: " + report);
            }
            if (save != null) {
                out.println("model: " + save + " (" + saveFormat.name().toLowerCase(Locale.ROOT) + ")");
            }
            out.flush();
            return 0;
        }
    }

    private TrainTotals train(Learner learner, NaiveBayes nb, NaiveBayes nbShort, TrainingData data, LearnerConfig config,
            PrintWriter err) throws IOException {
        TrainTotals s = new TrainTotals();
        ProgressReporter bar = new ProgressReporter(err, progress, "train", data.trainCount());
        long pointEvery = Math.max(1, (data.trainCount() + Math.max(1, curvePoints) - 1) / Math.max(1, curvePoints));
        long nextPoint = pointEvery;
        long windowLabeled = 0;
        long windowCorrect = 0;
        long windowNbCorrect = 0;
        Iterator<Example> it = data.training();
        List<Example> batch = new ArrayList<>(config.batchSize());
        while (it.hasNext()) {
            batch.clear();
            while (batch.size() < config.batchSize() && it.hasNext()) {
                batch.add(it.next());
            }
            long t0 = System.nanoTime();
            StepResult r = learner.train(batch);
            long t1 = System.nanoTime();
            int nbRight = nb.testThenTrain(batch);
            s.nbSeconds += (System.nanoTime() - t1) / 1e9;
            int nbShortRight = nbShort.testThenTrain(batch);
            s.goodWords.add(batch);
            s.trainSeconds += (t1 - t0) / 1e9;

            s.examples += batch.size();
            s.labeled += r.labeled();
            s.correct += r.correctBeforeUpdate();
            s.nbCorrect += nbRight;
            s.nbShortCorrect += nbShortRight;
            s.batches++;
            s.passes += r.passes();
            s.passWeightedExamples += (long) r.passes() * batch.size();
            s.updates += r.updates();
            if (r.skipped()) {
                s.skippedBatches++;
            }
            if (Double.isFinite(r.loss())) {
                s.lossSum += r.loss();
                s.lossCount++;
            }
            s.lastDeltaNorm = r.deltaNorm();
            s.teacherDriftSum += r.teacherDriftKl();
            windowLabeled += r.labeled();
            windowCorrect += r.correctBeforeUpdate();
            windowNbCorrect += nbRight;
            if (s.examples >= nextPoint || !it.hasNext()) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("examples", s.examples);
                point.put("prequential_accuracy", JsonReports.round(TrainTotals.ratio(s.correct, s.labeled), 5));
                point.put("window_accuracy", JsonReports.round(TrainTotals.ratio(windowCorrect, windowLabeled), 5));
                point.put("naive_bayes_window_accuracy", JsonReports.round(TrainTotals.ratio(windowNbCorrect, windowLabeled), 5));
                point.put("embedding_rms", JsonReports.round(learner.embeddingRms(batch.stream().map(Example::text)
                        .toList()), 6));
                s.curve.add(point);
                windowLabeled = 0;
                windowCorrect = 0;
                windowNbCorrect = 0;
                nextPoint += pointEvery;
            }
            bar.update(s.examples, String.format(Locale.ROOT, "acc %s (nb %s) | loss %.4f",
                    JsonReports.fraction(TrainTotals.ratio(s.correct, s.labeled)), JsonReports.fraction(TrainTotals.ratio(s.nbCorrect, s.labeled)),
                    r.loss()));
        }
        bar.finish(s.examples, String.format(Locale.ROOT, "acc %s (nb %s)",
                JsonReports.fraction(TrainTotals.ratio(s.correct, s.labeled)), JsonReports.fraction(TrainTotals.ratio(s.nbCorrect, s.labeled))));
        return s;
    }

    private Evaluation evaluate(Learner learner, List<Example> heldout, LearnerConfig config, PrintWriter err) {
        if (heldout.isEmpty()) {
            return new Evaluation(0, Double.NaN, Double.NaN, Double.NaN, null);
        }
        PgdAttack attack = attack(config);
        int chunk = Math.max(config.batchSize(), 64) * 4;
        ProgressReporter bar = new ProgressReporter(err, progress, "eval", heldout.size());
        double clean = 0;
        double robust = 0;
        double loss = 0;
        int n = 0;
        String name = attack == null ? null : attack.name();
        for (int i = 0; i < heldout.size(); i += chunk) {
            List<Example> part = heldout.subList(i, Math.min(heldout.size(), i + chunk));
            Evaluation e = learner.evaluate(part, attack);
            int k = e.examples();
            clean += e.cleanAccuracy() * k;
            robust += e.robustAccuracy() * k;
            loss += e.loss() * k;
            n += k;
            if (attack != null && e.attack() != null) {
                name = e.attack();
            }
            bar.update(i + part.size(), null);
        }
        bar.finish(heldout.size(), null);
        return n == 0 ? new Evaluation(0, Double.NaN, Double.NaN, Double.NaN, name)
                : new Evaluation(n, clean / n, attack == null ? Double.NaN : robust / n, loss / n, name);
    }

    private PgdAttack attack(LearnerConfig config) {
        if (attackSteps == null) {
            return PgdAttack.defaults(config);
        }
        if (attackSteps == 0) {
            return null;
        }
        return new PgdAttack(attackSteps, config.epsilon(), 2.5 * config.epsilon() / attackSteps, 1, config.norm());
    }

    private void saveModel(Learner learner, TrainTotals stream) throws IOException {
        Path parent = save.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (saveFormat == SaveFormat.CHECKPOINT) {
            Files.write(save, learner.checkpoint());
            return;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("prequential_accuracy", TrainTotals.ratio(stream.correct, stream.labeled));
        metrics.put("skipped_batches", (double) stream.skippedBatches);
        ModelSnapshot snapshot = Snapshots.toAvro(learner, modelId, 1L, null, List.of(), metrics);
        SnapshotFiles.write(save, snapshot);
    }

    private Map<String, Object> report(LearnerConfig config, Learner learner, TrainingData data, TrainTotals s,
            Evaluation eval, int heldoutLabeled, double nbHeldout, double nbShortHeldout, double evalSeconds,
            double wallSeconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "train");
        r.put("strategy", TrainTotals.strategyName(config));
        r.put("encoder", config.encoderType().name().toLowerCase(Locale.ROOT));
        r.put("device", learner.device());
        r.put("input", input == null ? "bundled:" + data.path().getFileName() : data.path().toString());
        r.put("order", order.name().toLowerCase(Locale.ROOT));
        r.put("labels", data.labels());
        r.put("examples", s.examples);
        r.put("labeled_examples", s.labeled);
        r.put("heldout_examples", heldoutLabeled);
        r.put("skipped_records", data.skippedRecords());
        r.put("prequential_accuracy", JsonReports.round(TrainTotals.ratio(s.correct, s.labeled), 5));
        r.put("heldout_accuracy", JsonReports.round(eval.cleanAccuracy(), 5));
        r.put("robust_accuracy", JsonReports.round(eval.robustAccuracy(), 5));
        r.put("attack", eval.attack());
        r.put("heldout_loss", JsonReports.round(eval.loss(), 5));
        r.put("examples_per_second", JsonReports.round(s.examples / Math.max(1e-9, s.trainSeconds), 2));
        r.put("passes_per_example", JsonReports.round(s.examples == 0 ? 0.0
                : (double) s.passWeightedExamples / s.examples, 3));
        r.put("batches", s.batches);
        r.put("passes", s.passes);
        r.put("updates", s.updates);
        r.put("skipped_batches", s.skippedBatches);
        r.put("mean_loss", JsonReports.round(s.lossCount == 0 ? Double.NaN : s.lossSum / s.lossCount, 5));
        r.put("final_delta_norm", JsonReports.round(s.lastDeltaNorm, 6));
        r.put("mean_teacher_drift_kl", JsonReports.round(s.batches == 0 ? 0.0 : s.teacherDriftSum / s.batches, 6));
        Map<String, Object> nb = new LinkedHashMap<>();
        nb.put("prequential_accuracy", JsonReports.round(TrainTotals.ratio(s.nbCorrect, s.labeled), 5));
        nb.put("heldout_accuracy", JsonReports.round(nbHeldout, 5));
        nb.put("max_tokens", "all");
        nb.put("buckets", nbBuckets);
        r.put("naive_bayes", nb);
        Map<String, Object> nbShort = new LinkedHashMap<>();
        nbShort.put("prequential_accuracy", JsonReports.round(TrainTotals.ratio(s.nbShortCorrect, s.labeled), 5));
        nbShort.put("heldout_accuracy", JsonReports.round(nbShortHeldout, 5));
        nbShort.put("max_tokens", config.maxLength());
        nbShort.put("buckets", nbBuckets);
        r.put("naive_bayes_same_tokens", nbShort);
        r.put("prequential_curve", s.curve);
        r.put("config", config.toMap());
        r.put("seed", config.seed());
        r.put("train_seconds", JsonReports.round(s.trainSeconds, 3));
        r.put("naive_bayes_seconds", JsonReports.round(s.nbSeconds, 3));
        r.put("eval_seconds", JsonReports.round(evalSeconds, 3));
        r.put("wall_time_seconds", JsonReports.round(wallSeconds, 3));
        r.put("started_at", Instant.now().minusMillis((long) (wallSeconds * 1000)).toString());
        r.put("java_version", System.getProperty("java.version"));
        r.put("available_processors", Runtime.getRuntime().availableProcessors());
        return r;
    }

    private String table(LearnerConfig config, Learner learner, TrainingData data, TrainTotals s, Evaluation eval,
            double nbHeldout, double nbShortHeldout) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s (%s, %s): trained on %d examples of %s in %s order, %d held out%n",
                TrainTotals.strategyName(config), config.encoderType().name().toLowerCase(Locale.ROOT), learner.device(),
                s.examples, input == null ? "the bundled corpus" : data.path(), order.name().toLowerCase(Locale.ROOT),
                data.heldoutCount()));
        String robustLabel = eval.attack() == null ? "robust accuracy" : "robust accuracy (" + eval.attack() + ")";
        TextTable t = new TextTable("metric", "learner", "naive Bayes",
                "naive Bayes, first " + config.maxLength() + " tokens");
        t.row("prequential accuracy", JsonReports.fraction(TrainTotals.ratio(s.correct, s.labeled)),
                JsonReports.fraction(TrainTotals.ratio(s.nbCorrect, s.labeled)),
                JsonReports.fraction(TrainTotals.ratio(s.nbShortCorrect, s.labeled)));
        t.row("held-out accuracy", JsonReports.fraction(eval.cleanAccuracy()), JsonReports.fraction(nbHeldout),
                JsonReports.fraction(nbShortHeldout));
        t.row(robustLabel, JsonReports.fraction(eval.robustAccuracy()), "n/a", "n/a");
        t.row("examples/s (training)", String.format(Locale.ROOT, "%.1f", s.examples / Math.max(1e-9, s.trainSeconds)),
                String.format(Locale.ROOT, "%.1f", s.examples / Math.max(1e-9, s.nbSeconds)), "-");
        t.row("passes per example", String.format(Locale.ROOT, "%.2f",
                s.examples == 0 ? 0.0 : (double) s.passWeightedExamples / s.examples), "-", "-");
        t.row("skipped batches (NaN/Inf)", String.valueOf(s.skippedBatches), "-", "-");
        sb.append(t.render());
        return sb.toString();
    }

    private LearnerConfig config(List<String> labels) {
        try {
            LearnerConfig defaults = LearnerConfig.builder().build();
            LearnerConfig.Builder b = LearnerConfig.builder()
                    .optLabels(labels)
                    .optMaxLabels(Math.max(defaults.maxLabels(), labels.size()));
            return LearnerFlags.config(spec, b);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid learner settings: " + e.getMessage(), e);
        }
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        try {
            runtime.device();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (!(heldoutFraction >= 0 && heldoutFraction < 1)) {
            throw new CommandLine.ParameterException(cl, "--heldout-fraction must be in [0, 1), got " + heldoutFraction);
        }
        if (limit < 0) {
            throw new CommandLine.ParameterException(cl, "--limit must be >= 0, got " + limit);
        }
        if (attackSteps != null && attackSteps < 0) {
            throw new CommandLine.ParameterException(cl, "--attack-steps must be >= 0, got " + attackSteps);
        }
        if (attackTexts < 0) {
            throw new CommandLine.ParameterException(cl, "--attack-texts must be >= 0, got " + attackTexts);
        }
        if (nbBuckets < 0) {
            throw new CommandLine.ParameterException(cl, "--nb-buckets must be >= 0, got " + nbBuckets);
        }
        if (curvePoints < 1) {
            throw new CommandLine.ParameterException(cl, "--curve-points must be >= 1, got " + curvePoints);
        }
        if (input != null && !Files.isRegularFile(input)) {
            throw new CommandLine.ParameterException(cl, "--input: no such file: " + input);
        }
        if (runtime.threads() != null && runtime.threads() < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be >= 1, got " + runtime.threads());
        }
    }

    private ReaderOptions readerOptions() {
        try {
            return ReaderOptions.builder().optFormat(format).optTextField(textColumn).optLabelField(labelColumn)
                    .optSkipMalformed(skipMalformed).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Converts {@code jsonl|csv|tsv} case-insensitively. */
    static final class FormatConverter implements CommandLine.ITypeConverter<DataFormat> {
        @Override
        public DataFormat convert(String value) {
            return DataFormat.parse(value);
        }
    }
}
