package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.job.train.TrainerSettings;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Measures the pipeline against the bare learner on the same data: steady and end-to-end throughput (input topic to
 * trained), checkpoint cost, two models at parallelism 1 and 2, event-to-snapshot latency, and the learner alone with
 * the same configuration and the same batches.
 */
@Command(name = "pipeline-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures, in one run and on the same events: (1) the bare learner's training (same configuration, "
                    + "same batches, same held-out split, no snapshots, no Flink, no Kafka); (2) the pipeline's "
                    + "throughput from the input topic to trained (bounded job, events produced beforehand, "
                    + "snapshots, reports and checkpoints on), with Flink's checkpoint statistics and what the "
                    + "training operator wrote per model; (3) the events split between two models, at "
                    + "parallelism 1 and 2; (4) event-to-snapshot latency (events produced at a steady rate, a "
                    + "snapshot after every batch, latency = snapshot visible to a read_committed consumer minus "
                    + "the send time of the newest event it reflects).",
            "Prints a table and writes JSON to --out-dir."})
public final class PipelineBenchCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "2000", description = "Events to use (default ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--input", paramLabel = "FILE", description = "JSONL or CSV file (default: bundled corpus).")
    Path input;

    @Option(names = "--order", defaultValue = "time", description = "Replay order (default ${DEFAULT-VALUE}).")
    String order;

    @Option(names = "--snapshot-every", defaultValue = "20", description = "Snapshot every N batches.")
    int snapshotEvery;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", description = "Flink checkpoint interval.")
    String checkpointInterval;

    @Option(names = "--latency-seconds", defaultValue = "20",
            description = "How long the latency phase produces events (0 skips it; default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--latency-rate", defaultValue = "0",
            description = "Events/s in the latency phase (default: a quarter of the measured pipeline throughput, "
                    + "which leaves room for a snapshot and report after every batch).")
    double latencyRate;

    @Option(names = "--scaling", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run two models at parallelism 1 and 2 (default ${DEFAULT-VALUE}; --no-scaling skips).")
    boolean scale;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Where to write the JSON (default target/bench).")
    Path outDir;

    @Mixin
    LearnerOptions learner = new LearnerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        List<LabeledText> data = load();
        err.printf("bench: %d events%n", data.size());
        Path work = Files.createTempDirectory("bulwark-bench");
        Map<String, Object> json = new LinkedHashMap<>();
        try (EmbeddedStack stack = EmbeddedStack.start(0, 0, work.resolve("kafka"))) {
            Configuration conf = config(stack, "bench", true);
            TrainerSettings settings = BulwarkJob.trainerSettings(conf);

            err.println("bench: bare learner...");
            BareLearnerRun.Result bare = BareLearnerRun.run(data, settings, conf);
            err.printf(Locale.ROOT, "bench: bare learner %.1f events/s (%d trained in %.2f s)%n",
                    bare.steadyRate(), bare.trained, bare.seconds);

            err.println("bench: pipeline throughput...");
            PipelineRun.Result pipe = PipelineRun.run(stack, conf, data, 1, work);
            err.printf(Locale.ROOT, "bench: pipeline %.1f events/s steady, %.1f end to end%n", pipe.steadyRate(),
                    pipe.endToEndRate());

            // Again after the pipeline: the first bare run is also the JVM's first learner code (compiled while it
            // runs), and the machine's speed drifts; the pair brackets the pipeline.
            err.println("bench: bare learner again...");
            BareLearnerRun.Result bareAfter = BareLearnerRun.run(data, settings, conf);
            err.printf(Locale.ROOT, "bench: bare learner again %.1f events/s%n", bareAfter.steadyRate());

            List<PipelineRun.Result> scaling = new ArrayList<>();
            if (scale) {
                List<LabeledText> two = twoModels(data);
                for (int p = 1; p <= 2; p++) {
                    err.printf("bench: two models at parallelism %d...%n", p);
                    PipelineRun.Result r = PipelineRun.run(stack, config(stack, "bench-two-p" + p, true), two, p,
                            work);
                    err.printf(Locale.ROOT, "bench: two models at parallelism %d: %.1f events/s%n", p,
                            r.steadyRate());
                    scaling.add(r);
                }
            }

            Map<String, Object> latency = Map.of();
            if (latencySeconds > 0) {
                double rate = latencyRate > 0 ? latencyRate : Math.max(1, pipe.steadyRate() / 4);
                err.printf(Locale.ROOT, "bench: latency at %.1f events/s for %d s...%n", rate, latencySeconds);
                Configuration latencyConf = config(stack, "bench-latency", false);
                latencyConf.set(JobOptions.SNAPSHOT_EVERY_BATCHES, 1);
                latencyConf.set(JobOptions.BATCH_TIMEOUT, Duration.ofSeconds(1));
                latency = LatencyRun.run(stack, latencyConf, data, rate, latencySeconds, work);
            }

            json.put("date", Instant.now().toString());
            json.put("events", data.size());
            json.put("learner", settings.learnerConfig().toMap());
            json.put("batch_size", settings.batchSize());
            json.put("snapshot_every_batches", snapshotEvery);
            json.put("checkpoint_interval", checkpointInterval);
            json.put("eval", Map.of("every_snapshots", settings.evalEverySnapshots(),
                    "max_pending", settings.evalMaxPending(), "duty_cycle", settings.evalDutyCycle(),
                    "attack_texts", settings.attackTexts(), "robust", settings.robustEval()));
            json.put("bare", bare.toJson());
            json.put("pipeline", pipe.toJson());
            json.put("pipeline_over_bare", round(pipe.steadyRate() / bare.steadyRate()));
            json.put("bare_after", bareAfter.toJson());
            json.put("pipeline_over_bare_after", round(pipe.steadyRate() / bareAfter.steadyRate()));
            json.put("same_final_model", Arrays.equals(bare.finalPayload, pipe.finalPayload));
            if (scaling.size() == 2) {
                json.put("two_models", List.of(scaling.get(0).toJson(), scaling.get(1).toJson()));
                json.put("scaling_p2_over_p1", round(scaling.get(1).steadyRate() / scaling.get(0).steadyRate()));
            }
            json.put("latency", latency);
            print(System.out, bare, bareAfter, pipe, json, latency, scaling);
        } finally {
            deleteQuietly(work);
        }
        Path dir = outDir != null ? outDir : Path.of("target", "bench");
        Files.createDirectories(dir);
        Path file = dir.resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println("JSON: " + file);
        return 0;
    }

    private List<LabeledText> load() throws Exception {
        Path file = input != null ? input : io.bulwark.model.data.BundledCorpus.locate();
        List<RawInput> all = InputOrder.parse(order).apply(InputFiles.read(file, false,
                System.currentTimeMillis()), 42);
        List<LabeledText> out = new ArrayList<>();
        for (RawInput r : all) {
            if (!r.isRaw() && out.size() < events) {
                out.add(r.event());
            }
        }
        return out;
    }

    private Configuration config(EmbeddedStack stack, String prefix, boolean bounded) {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        c.set(JobOptions.REGISTRY_URL, stack.registryUrl());
        c.set(JobOptions.INPUT_TOPIC, prefix + ".events");
        c.set(JobOptions.SNAPSHOTS_TOPIC, prefix + ".snapshots");
        c.set(JobOptions.LATEST_TOPIC, prefix + ".snapshots.latest");
        c.set(JobOptions.REPORTS_TOPIC, prefix + ".reports");
        c.set(JobOptions.DEAD_LETTER_TOPIC, prefix + ".deadletters");
        c.set(JobOptions.JOB_NAME, prefix);
        c.set(JobOptions.GROUP_ID, prefix);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, prefix + "-" + Long.toHexString(System.nanoTime()));
        c.set(JobOptions.BOUNDED, bounded);
        c.set(JobOptions.STARTING_OFFSETS, JobOptions.StartingOffsets.EARLIEST);
        c.set(JobOptions.SNAPSHOT_EVERY_BATCHES, snapshotEvery);
        c.set(JobOptions.SNAPSHOT_INTERVAL, Duration.ZERO);
        c.set(JobOptions.BATCH_TIMEOUT, Duration.ZERO);
        c.setString(JobOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval);
        learner.applyTo(spec, c);
        return c;
    }

    // ---- two models ------------------------------------------------------------------------------------------

    /**
     * The events split between two models, alternately, whose ids the job's key groups place on different subtasks
     * at parallelism 2 (so the scaling run really trains them on two subtasks).
     */
    static List<LabeledText> twoModels(List<LabeledText> data) {
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(2);
        String[] ids = new String[2];
        for (int i = 0; ids[0] == null || ids[1] == null; i++) {
            String id = "model-" + i;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, 2);
            if (ids[subtask] == null) {
                ids[subtask] = id;
            }
        }
        List<LabeledText> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            out.add(LabeledText.newBuilder(data.get(i)).setModelKey(ids[i % 2]).build());
        }
        return out;
    }

    // ---- output ------------------------------------------------------------------------------------------------

    private static void print(PrintStream out, BareLearnerRun.Result bare, BareLearnerRun.Result bareAfter,
                              PipelineRun.Result pipe,
                              Map<String, Object> json, Map<String, Object> latency,
                              List<PipelineRun.Result> scaling) {
        out.println();
        out.println("Bulwark pipeline bench                          bare learner      pipeline");
        out.println("---------------------------------------------------------------------------");
        out.printf(Locale.ROOT, "%-44s %12d %13d%n", "events trained", bare.trained, pipe.trained);
        out.printf(Locale.ROOT, "%-44s %12.1f %13.1f%n", "steady throughput (events/s)", bare.steadyRate(),
                pipe.steadyRate());
        out.printf(Locale.ROOT, "%-44s %12.1f %13.1f%n", "end-to-end throughput (events/s)",
                bare.trained / bare.seconds, pipe.endToEndRate());
        out.printf(Locale.ROOT, "%-44s %26.3f%n", "pipeline / bare events/s (steady; target >= 0.9)",
                (Double) json.get("pipeline_over_bare"));
        out.printf(Locale.ROOT, "%-44s %12.1f%n", "bare learner again, after (events/s)", bareAfter.steadyRate());
        out.printf(Locale.ROOT, "%-44s %26.3f%n", "pipeline / bare learner after",
                (Double) json.get("pipeline_over_bare_after"));
        out.printf(Locale.ROOT, "%-44s %26s%n", "same final model (bitwise)",
                Boolean.TRUE.equals(json.get("same_final_model")) ? "yes" : "no");
        out.printf(Locale.ROOT, "%-44s %26s%n", "snapshots / reports (evaluated)",
                pipe.snapshots + " / " + pipe.reports + " (" + pipe.evaluatedReports + ")");
        Map<String, Object> flink = pipe.sampler.checkpointJson();
        out.printf(Locale.ROOT, "%-44s %26s%n", "Flink checkpoints: completed, mean / max ms",
                flink.get("completed") + ", " + fmt(flink.get("mean_duration_ms")) + " / "
                        + flink.get("max_duration_ms"));
        out.printf(Locale.ROOT, "%-44s %26s%n", "Flink checkpoint size mean / max (MB)",
                mb(flink.get("mean_size_bytes")) + " / " + mb(flink.get("max_size_bytes")));
        pipe.checkpointsByModel.forEach((model, m) -> out.printf(Locale.ROOT, "%-44s %26s%n",
                "  model " + model + ": writes, mean MB, mean ms",
                m.get("checkpoints_written") + ", " + mb(m.get("mean_bytes")) + ", " + fmt(m.get("mean_ms"))));
        for (PipelineRun.Result r : scaling) {
            out.printf(Locale.ROOT, "%-44s %26.1f%n", "two models, parallelism " + r.parallelism + " (events/s)",
                    r.steadyRate());
            r.checkpointsByModel.forEach((model, m) -> out.printf(Locale.ROOT, "%-44s %26s%n",
                    "  model " + model + ": writes, mean MB, mean ms",
                    m.get("checkpoints_written") + ", " + mb(m.get("mean_bytes")) + ", " + fmt(m.get("mean_ms"))));
        }
        if (json.containsKey("scaling_p2_over_p1")) {
            out.printf(Locale.ROOT, "%-44s %26.3f%n", "scaling: parallelism 2 / 1 (target >= 1.7)",
                    (Double) json.get("scaling_p2_over_p1"));
        }
        if (!latency.isEmpty()) {
            out.printf(Locale.ROOT, "%-44s %26s%n", "event-to-snapshot latency p50 / p95 / max (ms)",
                    latency.get("p50_ms") + " / " + latency.get("p95_ms") + " / " + latency.get("max_ms"));
            out.printf(Locale.ROOT, "%-44s %26s%n", "  at events/s, snapshots",
                    latency.get("rate_events_per_second") + ", " + latency.get("snapshots"));
        }
    }

    private static String mb(Object bytes) {
        return bytes instanceof Number && ((Number) bytes).doubleValue() >= 0
                ? String.format(Locale.ROOT, "%.1f", ((Number) bytes).doubleValue() / (1 << 20)) : "n/a";
    }

    private static String fmt(Object v) {
        return v instanceof Number && Double.isFinite(((Number) v).doubleValue())
                ? String.format(Locale.ROOT, "%.1f", ((Number) v).doubleValue()) : "n/a";
    }

    static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // temporary directory
        }
    }
}
