package io.bulwark.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.DataRecord;
import io.bulwark.model.data.StreamOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The study: trains every configured variant on the bundled SpamAssassin stream in each order and seed, runs the
 * naive Bayes filter on the same streams, the drift scenario and the hyperparameter sweep, and collects every number
 * in {@link Results}. Partial results are written to {@code results.json} after every run, so an interrupted study
 * still leaves its numbers.
 */
public final class Study {

    /** File name of the raw results. */
    public static final String RESULTS_JSON = "results.json";

    /** Measured cost of the building blocks on this machine, used to estimate run times. */
    public record Calibration(Map<String, Double> msPerPass, Map<String, Double> msPerAttackPass,
                              Map<String, Double> msPerPredictedText) {}

    /** Estimated wall time of one group of runs. */
    public record Estimate(String configuration, int runs, double secondsPerRun, double seconds) {}

    /** All raw numbers of a study. */
    public record Results(int formatVersion, String started, String finished, double wallSeconds, String commandLine,
                          Map<String, String> machine, Map<String, String> settings, Calibration calibration,
                          List<Estimate> estimates, List<RunResult> runs, List<DriftExperiment.Result> drift,
                          boolean complete) {}

    /** Version of the JSON format of {@link Results}. */
    public static final int FORMAT_VERSION = 1;

    /** The learner's default learning-rate warm-up, in updates. */
    static final int LEARNER_WARMUP = io.bulwark.model.LearnerConfig.builder().build().warmupSteps();
    static final long LEARNER_RAMP = io.bulwark.model.LearnerConfig.builder().build().epsilonRamp();

    private final StudySettings settings;
    private final StreamRunner runner;
    private final List<DataRecord> records;

    /** A study over the bundled corpus. */
    public Study(StudySettings settings) {
        this(settings, BundledCorpus.records(BundledCorpus.FILE_NAME, StreamOrder.ORIGINAL, 0L));
    }

    /** A study over {@code records} (the corpus in its original order, with a {@code group} field). */
    public Study(StudySettings settings, List<DataRecord> records) {
        this.settings = settings;
        this.runner = new StreamRunner(settings);
        this.records = List.copyOf(records);
    }

    /** The encoder of the drift scenario and the sweep: pooled when studied, else the first encoder. */
    public EncoderType secondaryEncoder() {
        return settings.encoders().contains(EncoderType.POOLED) ? EncoderType.POOLED : settings.encoders().get(0);
    }

    /** Times a few natural batches, a PGD-10 evaluation and predictions per encoder. */
    public Calibration calibrate() {
        Map<String, Double> pass = new LinkedHashMap<>();
        Map<String, Double> attack = new LinkedHashMap<>();
        Map<String, Double> text = new LinkedHashMap<>();
        StudyStreams.Split split = StudyStreams.split(records, StreamOrder.SHUFFLED, 0, settings.heldOut(), 0);
        int bs = settings.batchSize();
        List<Example> train = split.train();
        for (EncoderType enc : settings.encoders()) {
            LearnerConfig cfg = runner.config(enc, Variant.parse("natural"), 0);
            try (Learner l = Learner.create(cfg)) {
                int warm = 6; // the engine profiles and optimises its graphs over the first iterations
                for (int i = 0; i < warm; i++) {
                    l.train(train.subList(i * bs, (i + 1) * bs));
                }
                int timed = 4;
                long t0 = System.nanoTime();
                int passes = 0;
                for (int i = warm; i < warm + timed; i++) {
                    passes += l.train(train.subList(i * bs, (i + 1) * bs)).passes();
                }
                pass.put(key(enc), (System.nanoTime() - t0) / 1e6 / Math.max(1, passes));
                List<Example> probe = split.heldOut().subList(0, bs);
                l.evaluate(probe.subList(0, Math.min(8, bs)), runner.pgd(2, 1)); // warm-up of the attack's code path
                t0 = System.nanoTime();
                l.evaluate(probe, runner.pgd(10, 1));
                attack.put(key(enc), (System.nanoTime() - t0) / 1e6 / 11);
                List<String> texts = new ArrayList<>();
                probe.forEach(e -> texts.add(e.text()));
                t0 = System.nanoTime();
                l.predict(texts);
                text.put(key(enc), (System.nanoTime() - t0) / 1e6 / texts.size());
            }
        }
        return new Calibration(pass, attack, text);
    }

    private static String key(EncoderType e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Training events per stream with the settings' limit. */
    public int trainEvents() {
        int available = records.size() - settings.heldOut();
        return settings.limit() > 0 ? Math.min(settings.limit(), available) : available;
    }

    /** Estimated wall time of every group of runs, from the calibration. */
    public List<Estimate> estimate(Calibration c) {
        List<Estimate> out = new ArrayList<>();
        int bs = settings.batchSize();
        int batches = (trainEvents() + bs - 1) / bs;
        for (EncoderType enc : settings.encoders()) {
            int seeds = enc == EncoderType.TRANSFORMER ? settings.transformerSeeds() : settings.seeds();
            Map<String, Integer> count = new LinkedHashMap<>();
            Map<String, Variant> byName = new LinkedHashMap<>();
            for (StreamOrder order : settings.orders()) {
                if (!settings.trains(enc, order)) {
                    continue;
                }
                for (Variant x : settings.runVariants(enc, order)) {
                    count.merge(x.name(), seeds, Integer::sum);
                    byName.put(x.name(), x);
                }
            }
            for (Map.Entry<String, Integer> e : count.entrySet()) {
                double s = runSeconds(c, enc, byName.get(e.getKey()), batches, true);
                out.add(new Estimate(key(enc) + " " + e.getKey(), e.getValue(), s, s * e.getValue()));
            }
        }
        if (settings.drift()) {
            EncoderType enc = secondaryEncoder();
            int driftBatches = 2 * ((settings.driftPhaseEvents() + bs - 1) / bs);
            for (Variant v : settings.driftVariants()) {
                for (boolean ema : List.of(false, true)) {
                    Variant x = v.withEma(ema);
                    double s = runSeconds(c, enc, x, driftBatches, false);
                    out.add(new Estimate("drift " + key(enc) + " " + x.name(), settings.seeds(), s,
                            s * settings.seeds()));
                }
            }
        }
        if (settings.sweep()) {
            List<Variant> sweep = sweepVariants();
            double s = runSeconds(c, secondaryEncoder(), settings.sweepVariant().withEma(true), batches, true);
            out.add(new Estimate("sweep " + key(secondaryEncoder()) + " " + settings.sweepVariant().name() + " ("
                    + sweep.size() + " settings)", sweep.size() * settings.sweepSeeds(), s,
                    s * sweep.size() * settings.sweepSeeds()));
        }
        return out;
    }

    private double runSeconds(Calibration c, EncoderType enc, Variant v, int batches, boolean evaluate) {
        String k = key(enc);
        double pass = c.msPerPass().get(k);
        double attackPass = c.msPerAttackPass().get(k);
        double text = c.msPerPredictedText().get(k);
        int bs = settings.batchSize();
        double ms = batches * v.passesPerBatch() * pass * (v.ema() ? 1.3 : 1.0);
        if (evaluate) {
            double probes = Math.ceil((double) batches / settings.probeEvery());
            ms += probes * Math.ceil((double) settings.probeSize() / bs) * 11 * attackPass;
            ms += Math.ceil((double) settings.heldOut() / bs) * settings.pgdRestarts() * 32 * attackPass;
            double queries = 1 + settings.maxLength() / 2.0
                    + settings.discreteBudget() * settings.discreteTopWords() * 2.5;
            ms += 2 * 2 * settings.discreteExamples() * queries * text;
        }
        return ms / 1000;
    }

    /** The sweep's variants: the swept variant with one hyperparameter changed at a time. */
    public List<Variant> sweepVariants() {
        Variant v = settings.sweepVariant().withEma(false);
        Variant e = settings.sweepVariant().withEma(true);
        double eps = settings.epsilon();
        double lr = settings.learningRate();
        List<Variant> all = List.of(
                v.withOverride("eps", eps / 2), v.withOverride("eps", eps * 2),
                v.withOverride("alpha", eps / settings.sweepVariant().steps()),
                v.withOverride("lr", lr / 2), v.withOverride("lr", lr * 2),
                e.withOverride("mu", settings.mu() * 0.3), e.withOverride("mu", settings.mu() * 3),
                e.withOverride("beta", 0.9), e.withOverride("beta", 0.999),
                v.withOverride("warmup", (settings.warmup() >= 0 ? settings.warmup() : LEARNER_WARMUP) >= 50 ? 10 : 100),
                v.withOverride("ramp", 0), v.withOverride("ramp", LEARNER_RAMP > 0 ? LEARNER_RAMP / 2 : 1000));
        List<Variant> out = new ArrayList<>();
        for (Variant x : all) {
            if (settings.sweepParams().contains(x.overrides().keySet().iterator().next())) {
                out.add(x);
            }
        }
        return out;
    }

    /** Runs the whole study, reporting each finished run to {@code progress}. */
    public Results run(Calibration calibration, List<Estimate> estimates, Map<String, String> machine,
                       Consumer<String> progress) {
        Instant start = Instant.now();
        List<RunResult> runs = new ArrayList<>();
        List<DriftExperiment.Result> drift = new ArrayList<>();
        int total = plannedRuns();
        int done = 0;
        for (long seed : settings.seedList()) {
            for (StreamOrder order : settings.orders()) {
                String scenario = order.name().toLowerCase(Locale.ROOT);
                StudyStreams.Split split = StudyStreams.split(records, order, seed, settings.heldOut(),
                        settings.limit());
                runs.add(runner.runNaiveBayes(scenario, seed, split, 0));
                runs.add(runner.runNaiveBayes(scenario, seed, split, settings.maxLength()));
                for (EncoderType enc : settings.encoders()) {
                    if (!settings.trains(enc, order) || (enc == EncoderType.TRANSFORMER
                            && seed >= settings.firstSeed() + settings.transformerSeeds())) {
                        continue;
                    }
                    for (Variant v : settings.runVariants(enc, order)) {
                        RunResult r = runner.run(scenario, enc, v, seed, split);
                        runs.add(r);
                        done++;
                        progress.accept(describe(done, total, start, r));
                        checkpoint(start, calibration, estimates, machine, runs, drift, false);
                    }
                }
            }
            if (settings.drift()) {
                for (DriftExperiment.Result r : runDrift(seed)) {
                    drift.add(r);
                    done++;
                    progress.accept(describe(done, total, start, r));
                    checkpoint(start, calibration, estimates, machine, runs, drift, false);
                }
            }
            if (settings.sweep() && seed < settings.firstSeed() + settings.sweepSeeds()) {
                StudyStreams.Split split = StudyStreams.split(records, StreamOrder.SHUFFLED, seed,
                        settings.heldOut(), settings.limit());
                List<Variant> sweep = new ArrayList<>(sweepVariants());
                for (boolean ema : List.of(false, true)) {
                    Variant base = settings.sweepVariant().withEma(ema);
                    if (!inMainGrid(base)) {
                        sweep.add(0, base);
                    }
                }
                for (Variant v : sweep) {
                    RunResult r = runner.run("sweep", secondaryEncoder(), v, seed, split);
                    runs.add(r);
                    done++;
                    progress.accept(describe(done, total, start, r));
                    checkpoint(start, calibration, estimates, machine, runs, drift, false);
                }
            }
        }
        return checkpoint(start, calibration, estimates, machine, runs, drift, true);
    }

    /** Runs the drift scenario's variants (each without and with EMA) for one seed. */
    public List<DriftExperiment.Result> runDrift(long seed) {
        StudyStreams.DriftSplit split = StudyStreams.drift(records, seed, settings.driftPhaseEvents(),
                settings.driftHeldOut());
        DriftExperiment experiment = new DriftExperiment(settings);
        List<DriftExperiment.Result> out = new ArrayList<>();
        for (Variant v : settings.driftVariants()) {
            for (boolean ema : List.of(false, true)) {
                out.add(experiment.run(secondaryEncoder(), v.withEma(ema), seed, split));
            }
        }
        return out;
    }

    /**
     * Runs only the drift scenario (every seed) and puts its results, and the drift settings, into {@code previous}
     * in place of the drift results it held; the command line records both commands.
     */
    public Results rerunDrift(Results previous, Consumer<String> progress) {
        Instant start = Instant.now();
        List<DriftExperiment.Result> drift = new ArrayList<>();
        int total = 2 * settings.driftVariants().size() * settings.seeds();
        for (long seed : settings.seedList()) {
            for (DriftExperiment.Result r : runDrift(seed)) {
                drift.add(r);
                progress.accept(describe(drift.size(), total, start, r));
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(previous.settings());
        describeSettings().forEach((k, v) -> {
            if (k.startsWith("drift")) {
                merged.put(k, v);
            }
        });
        double seconds = java.time.Duration.between(start, Instant.now()).toMillis() / 1000.0;
        Results r = new Results(FORMAT_VERSION, previous.started(), Instant.now().toString(),
                previous.wallSeconds() + seconds, previous.commandLine() + "   followed by the drift scenario alone:   "
                + settings.commandLine(), previous.machine(), merged, previous.calibration(), previous.estimates(),
                previous.runs(), drift, previous.complete());
        write(r, settings.jsonDir().resolve(RESULTS_JSON));
        return r;
    }

    private static String describe(int done, int total, Instant start, DriftExperiment.Result r) {
        return String.format(Locale.ROOT, "[%d/%d] drift %s %s seed %d: pre-shift %.3f (learned phase A: %s), dip"
                        + " %.3f, recovery %d batches, forgetting %.3f (%.0f s, %s elapsed)",
                done, total, r.encoder(), r.variant(), r.seed(), r.preShiftLevel(),
                DriftExperiment.learnedAtShift(r) ? "yes" : "no", r.dip(), r.recoveryBatches(), r.forgetting(),
                r.trainSeconds(), elapsed(start));
    }

    /** Whether the shuffled, secondary-encoder main grid holds {@code v}. */
    boolean inMainGrid(Variant v) {
        return settings.orders().contains(StreamOrder.SHUFFLED) && settings.encoders().contains(secondaryEncoder())
                && settings.runVariants(secondaryEncoder(), StreamOrder.SHUFFLED).contains(v);
    }

    /** Runs the study will do (naive Bayes not counted). */
    public int plannedRuns() {
        int total = 0;
        for (EncoderType enc : settings.encoders()) {
            int seeds = enc == EncoderType.TRANSFORMER ? settings.transformerSeeds() : settings.seeds();
            for (StreamOrder order : settings.orders()) {
                if (settings.trains(enc, order)) {
                    total += settings.runVariants(enc, order).size() * seeds;
                }
            }
        }
        if (settings.drift()) {
            total += 2 * settings.driftVariants().size() * settings.seeds();
        }
        if (settings.sweep()) {
            int perSeed = sweepVariants().size();
            for (boolean ema : List.of(false, true)) {
                if (!inMainGrid(settings.sweepVariant().withEma(ema))) {
                    perSeed++;
                }
            }
            total += perSeed * settings.sweepSeeds();
        }
        return total;
    }

    private static String describe(int done, int total, Instant start, RunResult r) {
        DiscreteAttack.Summary ch = r.discrete("char");
        return String.format(Locale.ROOT,
                "[%d/%d] %s %s %s seed %d: prequential %.3f, clean %.3f, PGD-10 %.3f, PGD-20 %.3f, char-spam %s,"
                        + " %.1f passes/ex, %.0f ex/s, train %.0f s, eval %.0f s%s (%s elapsed)",
                done, total, r.scenario(), r.encoder(), r.variant(), r.seed(), r.prequentialAccuracy(),
                r.cleanAccuracy(), r.pgd10(), r.pgd20(),
                ch == null ? "-" : String.format(Locale.ROOT, "%.2f", ch.robustSpam()), r.passesPerExample(),
                r.examplesPerSecond(), r.trainSeconds(), r.evalSeconds(),
                r.collapse() == null ? "" : ", COLLAPSED at batch " + r.collapse().batch(), elapsed(start));
    }

    private static String elapsed(Instant start) {
        long s = java.time.Duration.between(start, Instant.now()).getSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private Results checkpoint(Instant start, Calibration calibration, List<Estimate> estimates,
                               Map<String, String> machine, List<RunResult> runs,
                               List<DriftExperiment.Result> drift, boolean complete) {
        Instant now = Instant.now();
        Results r = new Results(FORMAT_VERSION, start.toString(), now.toString(),
                java.time.Duration.between(start, now).toMillis() / 1000.0, settings.commandLine(), machine,
                describeSettings(), calibration, estimates, List.copyOf(runs), List.copyOf(drift), complete);
        write(r, settings.jsonDir().resolve(RESULTS_JSON));
        return r;
    }

    /** The settings as text, for the report and the JSON. */
    public Map<String, String> describeSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seeds", settings.seedList().toString());
        m.put("trainEvents", Integer.toString(trainEvents()));
        m.put("limit", Integer.toString(settings.limit()));
        m.put("heldOut", Integer.toString(settings.heldOut()));
        m.put("probeSize", Integer.toString(settings.probeSize()));
        m.put("probeEvery", Integer.toString(settings.probeEvery()));
        m.put("encoders", settings.encoders().toString().toLowerCase(Locale.ROOT));
        m.put("variants", settings.variants().toString());
        m.put("transformerVariants", settings.transformerVariants().toString());
        m.put("originalVariants", settings.originalVariants() == null ? "same" : settings.originalVariants().toString());
        m.put("transformerSeeds", Integer.toString(settings.transformerSeeds()));
        m.put("transformerOrders", settings.transformerOrders().toString().toLowerCase(Locale.ROOT));
        m.put("sweepSeeds", Integer.toString(settings.sweepSeeds()));
        m.put("emaModes", settings.emaModes().toString());
        m.put("orders", settings.orders().toString().toLowerCase(Locale.ROOT));
        m.put("maxLength", Integer.toString(settings.maxLength()));
        m.put("batchSize", Integer.toString(settings.batchSize()));
        m.put("epsilon", Variant.format(settings.epsilon()));
        m.put("alpha", Double.isNaN(settings.alpha()) ? "learner default" : Variant.format(settings.alpha()));
        m.put("learningRate", Variant.format(settings.learningRate()));
        m.put("mu", Variant.format(settings.mu()));
        m.put("beta", Variant.format(settings.beta()));
        m.put("warmup", settings.warmup() < 0 ? LEARNER_WARMUP + " (learner default)"
                : Integer.toString(settings.warmup()));
        m.put("epsilonRamp", Long.toString(LEARNER_RAMP));
        m.put("attackEpsilon", Variant.format(settings.attackEpsilon()));
        m.put("pgdRestarts", Integer.toString(settings.pgdRestarts()));
        m.put("discreteExamples", Integer.toString(settings.discreteExamples()));
        m.put("discreteBudget", Integer.toString(settings.discreteBudget()));
        m.put("discreteTopWords", Integer.toString(settings.discreteTopWords()));
        m.put("drift", Boolean.toString(settings.drift()));
        m.put("driftEncoder", key(secondaryEncoder()));
        m.put("driftVariants", settings.driftVariants().toString());
        m.put("driftPhaseEvents", Integer.toString(settings.driftPhaseEvents()));
        m.put("driftHeldOut", Integer.toString(settings.driftHeldOut()));
        m.put("driftWindow", Integer.toString(settings.driftWindow()));
        m.put("driftTolerance", Variant.format(settings.driftTolerance()));
        m.put("driftKlEvery", Integer.toString(settings.driftKlEvery()));
        m.put("collapseDrop", Variant.format(settings.collapseDrop()));
        m.put("collapseCleanTolerance", Variant.format(settings.collapseCleanTolerance()));
        m.put("collapseMinPeak", Variant.format(settings.collapseMinPeak()));
        m.put("collapseMinClean", Variant.format(settings.collapseMinClean()));
        m.put("sweep", Boolean.toString(settings.sweep()));
        m.put("sweepVariant", settings.sweepVariant().name());
        m.put("sweepParams", settings.sweepParams().toString());
        m.put("threads", Integer.toString(settings.threads()));
        return m;
    }

    /** The JSON mapper of the results. */
    public static ObjectMapper mapper() {
        // NaN (e.g. no PGD number for naive Bayes) is written as the string "NaN" and read back as NaN.
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Writes the results atomically (temporary file, then move). */
    public static void write(Results r, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "results", ".json.tmp");
            mapper().writeValue(tmp.toFile(), r);
            try {
                // The temporary file is created owner-only; the results are meant to be read by everyone.
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write the study results to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads results written by {@link #write}.
     *
     * @throws IllegalArgumentException if the file is of another format version
     */
    public static Results read(Path file) throws IOException {
        Results r = mapper().readValue(file.toFile(), Results.class);
        if (r.formatVersion() != FORMAT_VERSION) {
            throw new IllegalArgumentException("Study results " + file + " have format version " + r.formatVersion()
                    + "; this version reads only " + FORMAT_VERSION);
        }
        return r;
    }
}
