package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.cli.common.LearnerFlags;
import io.bulwark.cli.common.RuntimeOptions;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.LearnerConfig.StrategyType;
import io.bulwark.model.LearnerParams;
import io.bulwark.model.StepResult;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.StreamOrder;
import io.bulwark.model.nn.NativeOps;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: times each training strategy and encoder on the same fixed batches of the bundled corpus, after a
 * warm-up, and relates the cost to natural training and to the number of forward/backward passes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = CliVersion.class,
        description = {
            "Times every training strategy on the same batches of the bundled corpus (seeded shuffle) after a"
                    + " warm-up: examples/s, ms per batch, ms per forward/backward pass, time relative to natural"
                    + " training and passes per batch. FreeAT-m should cost m passes and nothing more.",
            "Variants are STRATEGY[-K][+bregman][+smart], e.g. natural, pgd-3, freeat-4, freelb-3, freeat-4+bregman."},
        footer = {"", "Examples:",
            "  bulwark bench",
            "  bulwark bench --encoders pooled --variants natural,freeat-4,freeat-8 --batches 50",
            "  bulwark bench --device gpu --output target/bench/gpu.json"})
public final class BenchCommand implements Callable<Integer> {
    static final List<String> DEFAULT_VARIANTS = List.of("natural", "pgd-3", "freeat-4", "freelb-3",
            "freeat-4+bregman", "freeat-4+smart");

    @Spec
    CommandSpec spec;

    @Option(names = "--encoders", split = ",", paramLabel = "pooled,transformer", defaultValue = "pooled,transformer",
            description = "Encoders to time (default: ${DEFAULT-VALUE}).")
    List<EncoderType> encoders;

    @Option(names = "--variants", split = ",", paramLabel = "VARIANT",
            defaultValue = "natural,pgd-3,freeat-4,freelb-3,freeat-4+bregman,freeat-4+smart",
            description = "Strategy variants to time (default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--batches", paramLabel = "N", defaultValue = "30",
            description = "Timed batches per variant (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5",
            description = "Untimed warm-up batches per variant (default: ${DEFAULT-VALUE}).")
    int warmup;

    private static final int GLOBAL_WARMUP_BATCHES = 20;

    /** Untimed batches trained under libtorch's profiler to count native operators per step. */
    private static final int PROFILED_BATCHES = 3;

    @Option(names = "--learners", paramLabel = "N", defaultValue = "1",
            description = "Also train N learners of each variant at once, one per thread, and report their total"
                    + " examples/s and its ratio to one learner's (default: ${DEFAULT-VALUE}, off).")
    int learners;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "target/bench/learner-bench.json",
            description = "JSON results (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|off", defaultValue = "auto",
            description = "Progress on stderr (default: ${DEFAULT-VALUE}).")
    ProgressReporter.Mode progress;

    @Mixin
    RuntimeOptions runtime;

    /** A parsed variant: strategy, steps and regularisers. */
    record Variant(String name, StrategyType strategy, int steps, boolean bregman, boolean smart) {
        static Variant parse(String spec) {
            String[] parts = spec.trim().toLowerCase(Locale.ROOT).split("\\+");
            String head = parts[0];
            int dash = head.lastIndexOf('-');
            StrategyType strategy;
            int steps = 1;
            try {
                if (dash > 0) {
                    strategy = StrategyType.valueOf(head.substring(0, dash).toUpperCase(Locale.ROOT));
                    steps = Integer.parseInt(head.substring(dash + 1));
                } else {
                    strategy = StrategyType.valueOf(head.toUpperCase(Locale.ROOT));
                    if (strategy != StrategyType.NATURAL) {
                        throw new IllegalArgumentException("Variant '" + spec + "' needs its step count, e.g. "
                                + head + "-3");
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Bad step count in variant '" + spec + "'", e);
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("Variant")) {
                    throw e;
                }
                throw new IllegalArgumentException("Unknown strategy in variant '" + spec
                        + "': expected natural, pgd-K, freeat-M or freelb-K", e);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("Steps must be >= 1 in variant '" + spec + "'");
            }
            boolean bregman = false;
            boolean smart = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "bregman":
                        bregman = true;
                        break;
                    case "smart":
                        smart = true;
                        break;
                    default:
                        throw new IllegalArgumentException("Unknown modifier '+" + parts[i] + "' in variant '" + spec
                                + "': expected +bregman or +smart");
                }
            }
            return new Variant(spec.trim().toLowerCase(Locale.ROOT), strategy, steps, bregman, smart);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Variant> parsed = new ArrayList<>();
        String device;
        try {
            device = runtime.device();
            for (String v : variants) {
                parsed.add(Variant.parse(v));
            }
            if (batches < 1 || warmup < 0 || learners < 1) {
                throw new IllegalArgumentException("--batches and --learners must be >= 1 and --warmup >= 0");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        runtime.applyThreads();

        List<Example> corpus = BundledCorpus.load(StreamOrder.SHUFFLED, LearnerFlags.seed(spec));
        List<String> labels = new ArrayList<>(new TreeSet<>(corpus.stream().map(Example::label).toList()));
        LearnerConfig base = baseConfig(labels);
        int batchSize = base.batchSize();
        List<List<Example>> fixed = new ArrayList<>();
        for (int b = 0; b < warmup + batches; b++) {
            List<Example> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(corpus.get((b * batchSize + i) % corpus.size()));
            }
            fixed.add(batch);
        }

        // One untimed run before all variants, so that JIT compilation and the engine's first native allocations
        // do not land on whichever variant is timed first (with 3 batches the first variant still came out twice
        // as slow as later ones; 20 are enough).
        try (Learner learner = Learner.create(variantConfig(base, encoders.get(0), parsed.get(0)), device)) {
            for (int i = 0; i < Math.max(GLOBAL_WARMUP_BATCHES, warmup); i++) {
                learner.train(fixed.get(i % fixed.size()));
            }
        }

        List<Map<String, Object>> rows = new ArrayList<>();
        ProgressReporter bar = new ProgressReporter(err, progress, "bench",
                (long) encoders.size() * parsed.size());
        long done = 0;
        String usedDevice = device;
        for (EncoderType encoder : encoders) {
            double naturalMsPerBatch = Double.NaN;
            double naturalMsPerPass = Double.NaN;
            for (Variant variant : parsed) {
                LearnerConfig config = variantConfig(base, encoder, variant);
                Map<String, Object> row = time(config, variant, device, fixed, warmup);
                usedDevice = (String) row.remove("device_used");
                if (learners > 1) {
                    ConcurrentLearners.Result together = ConcurrentLearners.run(config, device, fixed, warmup,
                            learners, runtime.threads());
                    row.put("learners", learners);
                    row.put("concurrent_examples_per_second", JsonReports.round(together.examplesPerSecond(), 2));
                    row.put("scaling_vs_one_learner", JsonReports.round(
                            together.examplesPerSecond() / (double) row.get("examples_per_second"), 3));
                    row.put("runnable_share", JsonReports.round(together.runnableShare(), 3));
                }
                double msPerBatch = (double) row.get("ms_per_batch");
                double msPerPass = (double) row.get("ms_per_pass");
                if (variant.strategy() == StrategyType.NATURAL && !variant.bregman() && !variant.smart()) {
                    naturalMsPerBatch = msPerBatch;
                    naturalMsPerPass = msPerPass;
                }
                row.put("time_vs_natural", JsonReports.round(msPerBatch / naturalMsPerBatch, 3));
                row.put("pass_cost_vs_natural", JsonReports.round(msPerPass / naturalMsPerPass, 3));
                rows.add(row);
                bar.update(++done, encoder.name().toLowerCase(Locale.ROOT) + " " + variant.name());
            }
        }
        bar.finish(done, null);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "bench");
        report.put("device", usedDevice);
        report.put("batch_size", batchSize);
        report.put("warmup_batches", warmup);
        report.put("timed_batches", batches);
        report.put("profiled_batches", PROFILED_BATCHES);
        report.put("threads", runtime.threads());
        report.put("seed", base.seed());
        report.put("available_processors", Runtime.getRuntime().availableProcessors());
        report.put("java_version", System.getProperty("java.version"));
        report.put("created_at", Instant.now().toString());
        report.put("base_config", base.toMap());
        report.put("results", rows);
        JsonReports.write(output, report);

        out.printf(Locale.ROOT, "%d timed batches of %d examples after %d warm-up batches, device %s%n", batches,
                batchSize, warmup, usedDevice);
        List<String> header = new ArrayList<>(List.of("encoder", "variant", "examples/s", "ms/step",
                "encode ms/step", "ex/s without encode", "ms/pass",
                "passes/step", "native ops/step", "host syncs/step", "time vs natural", "pass cost vs natural"));
        if (learners > 1) {
            header.addAll(List.of(learners + " learners ex/s", "scaling", "runnable"));
        }
        TextTable t = new TextTable(header.toArray(new String[0]));
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>(List.of(String.valueOf(row.get("encoder")),
                    String.valueOf(row.get("variant")),
                    String.format(Locale.ROOT, "%.1f", (double) row.get("examples_per_second")),
                    String.format(Locale.ROOT, "%.1f", (double) row.get("ms_per_step")),
                    String.format(Locale.ROOT, "%.2f", (double) row.get("encode_ms_per_step")),
                    String.format(Locale.ROOT, "%.1f", (double) row.get("examples_per_second_without_encoding")),
                    String.format(Locale.ROOT, "%.1f", (double) row.get("ms_per_pass")),
                    String.format(Locale.ROOT, "%.2f", (double) row.get("passes_per_batch")),
                    String.format(Locale.ROOT, "%.0f", (double) row.get("native_ops_per_step")),
                    String.format(Locale.ROOT, "%.2f", (double) row.get("host_syncs_per_step")),
                    ratio(row.get("time_vs_natural")), ratio(row.get("pass_cost_vs_natural"))));
            if (learners > 1) {
                cells.add(String.format(Locale.ROOT, "%.1f", (double) row.get("concurrent_examples_per_second")));
                cells.add(ratio(row.get("scaling_vs_one_learner")));
                double share = (double) row.get("runnable_share");
                cells.add(Double.isFinite(share) ? String.format(Locale.ROOT, "%.2f", share) : "n/a");
            }
            t.row(cells.toArray(new String[0]));
        }
        out.print(t.render());
        out.println("results: " + output);
        out.flush();
        return 0;
    }

    private static String ratio(Object value) {
        double d = (double) value;
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.2fx", d) : "n/a";
    }

    private LearnerConfig baseConfig(List<String> labels) {
        try {
            return base(labels);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid learner settings: " + e.getMessage());
        }
    }

    private LearnerConfig base(List<String> labels) {
        return LearnerFlags.config(spec, LearnerConfig.builder().optLabels(labels));
    }

    private LearnerConfig variantConfig(LearnerConfig base, EncoderType encoder, Variant v) {
        Map<String, String> given = LearnerFlags.given(spec);
        double mu = base.bregmanWeight() > 0 ? base.bregmanWeight() : 1.0;
        double lambda = base.smartWeight() > 0 ? base.smartWeight() : 1.0;
        LearnerConfig.Builder b = base.toBuilder()
                .optEncoderType(encoder)
                .optStrategy(v.strategy())
                .optSteps(v.steps())
                .optBregmanWeight(v.bregman() ? mu : 0.0)
                .optSmartWeight(v.smart() ? lambda : 0.0);
        if (!given.containsKey(LearnerParams.ALPHA.key())) {
            // toBuilder() keeps the base's derived alpha; let each strategy derive its own.
            b.optAlpha(Double.NaN);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid settings for variant " + v.name()
                    + ": " + e.getMessage());
        }
    }

    /**
     * Trains a fresh learner on all batches and times the batches after the first {@code warm}, counting their host
     * reads; then counts native operators on a few more, untimed batches under libtorch's profiler.
     */
    private static Map<String, Object> time(LearnerConfig config, Variant variant, String device,
            List<List<Example>> fixed, int warm) {
        long passes = 0;
        long nanos = 0;
        long reads = 0;
        long encodeNanos = 0;
        int timed = 0;
        String used;
        double opsPerStep;
        try (Learner learner = Learner.create(config, device)) {
            used = learner.device();
            for (int i = 0; i < fixed.size(); i++) {
                long r0 = learner.hostReads();
                long t0 = System.nanoTime();
                StepResult r = learner.train(fixed.get(i));
                long t1 = System.nanoTime();
                if (i >= warm) {
                    nanos += t1 - t0;
                    passes += r.passes();
                    reads += learner.hostReads() - r0;
                    timed++;
                }
            }
            // The step includes encoding its texts; eager references usually encode once, before the loop. Time
            // the same encoding apart, on the timed batches, so both can be compared.
            HashingEncoder encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                    config.maxNgramsPerToken(), config.normalization());
            for (int i = warm; i < fixed.size(); i++) {
                List<String> texts = new ArrayList<>(fixed.get(i).size());
                fixed.get(i).forEach(e -> texts.add(e.text()));
                long e0 = System.nanoTime();
                encoder.encode(texts);
                encodeNanos += System.nanoTime() - e0;
            }
            int profiled = Math.min(PROFILED_BATCHES, fixed.size());
            long ops = NativeOps.count(() -> {
                for (int i = 0; i < profiled; i++) {
                    learner.train(fixed.get(i));
                }
            });
            opsPerStep = (double) ops / profiled;
        }
        int batchSize = fixed.get(0).size();
        double ms = nanos / 1e6;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("encoder", config.encoderType().name().toLowerCase(Locale.ROOT));
        row.put("variant", variant.name());
        row.put("strategy", config.strategy().name().toLowerCase(Locale.ROOT));
        row.put("steps", config.steps());
        row.put("bregman_weight", config.bregmanWeight());
        row.put("smart_weight", config.smartWeight());
        row.put("examples_per_second", JsonReports.round(timed * batchSize / (ms / 1000), 2));
        row.put("ms_per_batch", JsonReports.round(ms / timed, 3));
        row.put("ms_per_step", JsonReports.round(ms / timed, 3));
        double encodeMs = encodeNanos / 1e6;
        row.put("encode_ms_per_step", JsonReports.round(encodeMs / timed, 3));
        row.put("examples_per_second_without_encoding", JsonReports.round(ms > encodeMs
                ? timed * batchSize / ((ms - encodeMs) / 1000) : Double.NaN, 2));
        row.put("native_ops_per_step", JsonReports.round(opsPerStep, 1));
        row.put("host_syncs_per_step", JsonReports.round((double) reads / timed, 3));
        row.put("ms_per_pass", JsonReports.round(passes == 0 ? Double.NaN : ms / passes, 3));
        row.put("passes_per_batch", JsonReports.round((double) passes / timed, 3));
        row.put("device_used", used);
        return row;
    }
}
