package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.LocalFlink;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.job.train.TrainerSettings;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

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
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the pipeline against the bare learner on the same data: end-to-end throughput (input topic to trained),
 * event-to-snapshot latency, and the learner alone with the same configuration and the same batches.
 */
@Command(name = "pipeline-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures, in one run and on the same events: (1) the bare learner (same configuration, same batches, "
                    + "same held-out split and snapshot evaluations, no Flink, no Kafka); (2) the pipeline's "
                    + "throughput from the input topic to trained (bounded job, events produced beforehand); (3) "
                    + "event-to-snapshot latency (events produced at a steady rate, a snapshot after every batch, "
                    + "latency = snapshot visible to a read_committed consumer minus the send time of the newest "
                    + "event it reflects).",
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
            PipelineResult pipe = pipeline(stack, conf, data, bare.trained, work);
            err.printf(Locale.ROOT, "bench: pipeline %.1f events/s steady, %.1f end to end%n", pipe.steadyRate(),
                    pipe.endToEndRate());

            Map<String, Object> latency = Map.of();
            if (latencySeconds > 0) {
                double rate = latencyRate > 0 ? latencyRate : Math.max(1, pipe.steadyRate() / 4);
                err.printf(Locale.ROOT, "bench: latency at %.1f events/s for %d s...%n", rate, latencySeconds);
                latency = latency(stack, data, rate, work);
            }

            json.put("events", data.size());
            json.put("learner", settings.learnerConfig().toMap());
            json.put("batch_size", settings.batchSize());
            json.put("snapshot_every_batches", snapshotEvery);
            json.put("checkpoint_interval", checkpointInterval);
            json.put("bare", bare.toJson());
            json.put("pipeline", pipe.toJson());
            double ratio = bare.steadyRate() / pipe.steadyRate();
            json.put("pipeline_time_over_bare", round(ratio));
            json.put("same_final_model", Arrays.equals(bare.finalPayload, pipe.finalPayload));
            json.put("latency", latency);
            print(System.out, bare, pipe, ratio, latency, (Boolean) json.get("same_final_model"));
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

    // ---- (2) pipeline throughput -------------------------------------------------------------------------------

    private PipelineResult pipeline(EmbeddedStack stack, Configuration conf, List<LabeledText> data,
                                    long expectedTrained, Path work) throws Exception {
        TopicLayout layout = TopicLayout.of(conf, 1, Duration.ofDays(1));
        stack.createTopics(layout);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        Properties client = new Properties();
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             InputProducer producer = new InputProducer(client, codec, layout.input())) {
            List<RawInput> records = new ArrayList<>();
            data.forEach(e -> records.add(new RawInput(e, null, 0, 0)));
            producer.send(records, 0);
        }
        String name = conf.get(JobOptions.JOB_NAME);
        InProcessMetrics.forget(name);
        PipelineResult r = new PipelineResult();
        long submit = System.nanoTime();
        JobClient job = LocalFlink.start(LocalFlink.clusterConfig(1, work.resolve("flink-" + name)), conf);
        long lastCount = 0;
        while (!job.getJobExecutionResult().isDone()) {
            long trained = InProcessMetrics.sum(name, BulwarkMetrics.EXAMPLES_TRAINED);
            long now = System.nanoTime();
            if (trained > lastCount) {
                if (lastCount == 0) {
                    r.firstBatchAt = now;
                    r.firstBatchExamples = trained;
                }
                r.lastBatchAt = now;
                lastCount = trained;
            }
            if (trained >= expectedTrained && r.allTrainedAt < 0) {
                r.allTrainedAt = now;
            }
            Thread.sleep(10);
        }
        job.getJobExecutionResult().get();
        r.jobSeconds = (System.nanoTime() - submit) / 1e9;
        r.submit = submit;
        RunSummary s = RunSummary.read(client, registry, layout, Duration.ofMinutes(2));
        r.trained = s.eventsTrained();
        ModelSnapshot last = s.lastSnapshots().get(conf.get(JobOptions.DEFAULT_MODEL_ID));
        r.finalPayload = last == null ? null : bytes(last.getPayload().getBytes());
        return r;
    }

    private static final class PipelineResult {
        long submit;
        long firstBatchAt = -1;
        long firstBatchExamples;
        long lastBatchAt;
        long allTrainedAt = -1;
        double jobSeconds;
        long trained;
        byte[] finalPayload;

        double steadyRate() {
            double s = (lastBatchAt - firstBatchAt) / 1e9;
            return s <= 0 ? Double.NaN : (trained - firstBatchExamples) / s;
        }

        double endToEndRate() {
            long end = allTrainedAt > 0 ? allTrainedAt : lastBatchAt;
            return trained / ((end - submit) / 1e9);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("events_trained", trained);
            m.put("job_seconds", round(jobSeconds));
            m.put("seconds_to_first_batch", round((firstBatchAt - submit) / 1e9));
            m.put("end_to_end_events_per_second", round(endToEndRate()));
            m.put("steady_events_per_second", round(steadyRate()));
            return m;
        }
    }

    // ---- (3) event-to-snapshot latency -------------------------------------------------------------------------

    private Map<String, Object> latency(EmbeddedStack stack, List<LabeledText> data, double rate, Path work)
            throws Exception {
        Configuration conf = config(stack, "bench-latency", false);
        conf.set(JobOptions.SNAPSHOT_EVERY_BATCHES, 1);
        conf.set(JobOptions.BATCH_TIMEOUT, Duration.ofSeconds(1));
        TopicLayout layout = TopicLayout.of(conf, 1, Duration.ofDays(1));
        stack.createTopics(layout);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        Properties client = new Properties();
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        List<Double> latencies = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        String name = conf.get(JobOptions.JOB_NAME);
        JobClient job = LocalFlink.start(LocalFlink.clusterConfig(1, work.resolve("flink-" + name)), conf);
        AtomicLong covered = new AtomicLong();
        Thread reader = new Thread(() -> readSnapshots(client, registry, layout.snapshots(), sentAt, latencies, stop,
                covered), "bench-snapshot-reader");
        reader.start();
        long sent = 0;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(latencySeconds);
            int i = 0;
            while (System.nanoTime() < end) {
                long due = start + (long) (sent * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                LabeledText e = LabeledText.newBuilder(data.get(i++ % data.size()))
                        .setId("lat-" + sent).setEventTime(Instant.now()).build();
                long sendTime = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(layout.input(), new byte[0], codec.encode(layout.input(), e)),
                        (meta, error) -> {
                            if (error == null) {
                                sentAt.put(meta.offset(), sendTime);
                            }
                        });
                sent++;
            }
            producer.flush();
        }
        // Wait until a visible snapshot reflects the last event (its batch times out, trains and commits).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && covered.get() < sent) {
            Thread.sleep(50);
        }
        stop.set(true);
        reader.join();
        job.cancel().get(1, TimeUnit.MINUTES);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate_events_per_second", round(rate));
        m.put("events", sent);
        m.put("snapshots", latencies.size());
        List<Double> sorted = new ArrayList<>(latencies);
        sorted.sort(Double::compare);
        m.put("p50_ms", sorted.isEmpty() ? null : round(sorted.get(sorted.size() / 2)));
        m.put("p95_ms", sorted.isEmpty() ? null : round(sorted.get((int) Math.min(sorted.size() - 1,
                Math.ceil(sorted.size() * 0.95) - 1))));
        m.put("max_ms", sorted.isEmpty() ? null : round(sorted.get(sorted.size() - 1)));
        return m;
    }

    private static void readSnapshots(Properties client, RegistryConfig registry, String topic,
                                      Map<Long, Long> sentAt, List<Double> latencies, AtomicBoolean stop,
                                      AtomicLong covered) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (AvroRegistryCodec<ModelSnapshot> codec = AvroRegistryCodec.forClass(ModelSnapshot.class, registry);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long visible = System.currentTimeMillis();
                    ModelSnapshot s = codec.decode(r.topic(), r.value());
                    long newest = -1;
                    for (SourceOffset o : s.getSourceOffsets()) {
                        covered.accumulateAndGet(o.getOffset(), Math::max);
                        Long t = sentAt.get(o.getOffset() - 1);
                        if (t != null) {
                            newest = Math.max(newest, t);
                        }
                    }
                    if (newest > 0) {
                        synchronized (latencies) {
                            latencies.add((double) (visible - newest));
                        }
                    }
                }
            }
        }
    }

    // ---- output ------------------------------------------------------------------------------------------------

    private static void print(PrintStream out, BareLearnerRun.Result bare, PipelineResult pipe, double ratio,
                              Map<String, Object> latency, boolean sameModel) {
        out.println();
        out.println("Bulwark bench                                  bare learner      pipeline");
        out.println("---------------------------------------------------------------------------");
        out.printf(Locale.ROOT, "%-44s %12d %13d%n", "events trained", bare.trained, pipe.trained);
        out.printf(Locale.ROOT, "%-44s %12.1f %13.1f%n", "steady throughput (events/s)", bare.steadyRate(),
                pipe.steadyRate());
        out.printf(Locale.ROOT, "%-44s %12.1f %13.1f%n", "end-to-end throughput (events/s)",
                bare.trained / bare.seconds, pipe.endToEndRate());
        out.printf(Locale.ROOT, "%-44s %26.3f%n", "pipeline time / bare time (steady)", ratio);
        out.printf(Locale.ROOT, "%-44s %26s%n", "same final model (bitwise)", sameModel ? "yes" : "no");
        if (!latency.isEmpty()) {
            out.printf(Locale.ROOT, "%-44s %26s%n", "event-to-snapshot latency p50 / p95 / max (ms)",
                    latency.get("p50_ms") + " / " + latency.get("p95_ms") + " / " + latency.get("max_ms"));
            out.printf(Locale.ROOT, "%-44s %26s%n", "  at events/s, snapshots",
                    latency.get("rate_events_per_second") + ", " + latency.get("snapshots"));
        }
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
