package io.bulwark.cli.testutil;

import io.bulwark.job.testutil.TestData;
import io.bulwark.avro.LabeledText;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** What the integration tests share: a mini cluster, per-test topics and job options, producing, waiting. */
public final class JobRuns {

    private static final AtomicInteger RUN = new AtomicInteger();

    private JobRuns() {
    }

    /** A mini cluster with one task manager of two slots, the in-process reporter and quick restarts. */
    public static MiniClusterExtension miniCluster() {
        Configuration conf = new Configuration();
        InProcessMetrics.configure(conf);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .setConfiguration(conf)
                .build());
    }

    /** Returns job options for a fresh set of topics named after {@code name}, with a small learner. */
    public static Configuration jobConfig(EmbeddedStack stack, String name) {
        String id = name + "-" + RUN.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        c.set(JobOptions.REGISTRY_URL, stack.registryUrl());
        c.set(JobOptions.INPUT_TOPIC, id + ".events");
        c.set(JobOptions.SNAPSHOTS_TOPIC, id + ".snapshots");
        c.set(JobOptions.LATEST_TOPIC, id + ".snapshots.latest");
        c.set(JobOptions.REPORTS_TOPIC, id + ".reports");
        c.set(JobOptions.DEAD_LETTER_TOPIC, id + ".deadletters");
        c.set(JobOptions.HELDOUT_TOPIC, id + ".heldout");
        c.set(JobOptions.GROUP_ID, id);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, id);
        c.set(JobOptions.JOB_NAME, id);
        c.set(JobOptions.BOUNDED, true);
        c.set(JobOptions.STARTING_OFFSETS, JobOptions.StartingOffsets.EARLIEST);
        c.set(JobOptions.BATCH_SIZE, 8);
        c.set(JobOptions.BATCH_TIMEOUT, Duration.ZERO);
        c.set(JobOptions.SNAPSHOT_EVERY_BATCHES, 5);
        c.set(JobOptions.SNAPSHOT_INTERVAL, Duration.ZERO);
        c.set(JobOptions.HELD_OUT_WINDOW, 64);
        c.set(JobOptions.EVAL_ATTACK_STEPS, 2);
        c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        c.set(JobOptions.DEVICE, "cpu");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Path.of(System.getProperty("java.io.tmpdir"), "checkpoints", id).toUri().toString());
        TestData.smallLearnerOptions().forEach(c::setString);
        return c;
    }

    /** Creates the topics of a job configuration. */
    public static TopicLayout createTopics(EmbeddedStack stack, Configuration conf, int inputPartitions) {
        TopicLayout layout = TopicLayout.of(conf, inputPartitions, Duration.ofDays(1));
        stack.createTopics(layout);
        return layout;
    }

    /** Returns bootstrap-servers-only client properties. */
    public static Properties clientProperties(EmbeddedStack stack) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return p;
    }

    /** Returns a raw producer. */
    public static KafkaProducer<byte[], byte[]> producer(EmbeddedStack stack) {
        Properties p = clientProperties(stack);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends LabeledText records through the registry, keyed by model key, and waits for the acks. */
    public static void produce(EmbeddedStack stack, String topic, List<LabeledText> events) throws Exception {
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            for (LabeledText e : events) {
                byte[] key = (e.getModelKey() == null ? "" : e.getModelKey()).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, codec.encode(topic, e))).get();
            }
        }
    }

    /** Builds the job on the test's mini cluster and starts it. */
    public static JobClient start(Configuration conf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BulwarkJob.build(env, conf);
        return env.executeAsync(conf.get(JobOptions.JOB_NAME));
    }

    /** Runs a bounded job to completion. */
    public static void runBounded(Configuration conf, Duration timeout) throws Exception {
        JobClient job = start(conf);
        job.getJobExecutionResult().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Reads what a job published. */
    public static RunSummary summary(EmbeddedStack stack, Configuration conf) {
        return RunSummary.read(clientProperties(stack), RegistryConfig.builder().setUrl(stack.registryUrl()).build(),
                TopicLayout.of(conf, 1, Duration.ofDays(1)), Duration.ofMinutes(1));
    }

    /** Returns {@code -Dkey=value} arguments of {@code run} for the given options of a job configuration. */
    public static List<String> definitions(Configuration conf, ConfigOption<?>... options) {
        List<String> out = new ArrayList<>();
        for (ConfigOption<?> option : options) {
            out.add("-D" + option.key() + "=" + conf.get(option));
        }
        return out;
    }

    /** Polls a condition every 50 ms until it holds or the timeout expires. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
