package io.bulwark.job.deploy;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.JobOptions;
import io.bulwark.job.testutil.TestData;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar on a Flink cluster of separate processes: a standalone JobManager and two TaskManagers (one slot
 * each), DJL in their classpath as in {@code lib/} with {@code ai.djl.} parent-first, Kafka and the registry in
 * this JVM on loopback. The jar goes through the REST API (upload, run), as {@code flink run} sends it.
 *
 * <ul>
 *   <li>{@link #cancelAndResubmitOnTheSameTaskManagers()} (default suite): the job trains, is cancelled, and is
 *       submitted again from its retained checkpoint onto the same TaskManager JVMs, which load DJL's natives
 *       once; the second job goes on from the checkpoint's version.</li>
 *   <li>{@link #taskManagerKilledMidStream()} (slow): the TaskManager running the job is SIGKILLed mid-stream; the
 *       job restarts on the other one (DJL's natives load there) and every event is trained, held out or
 *       dead-lettered exactly once, and every version 1..N is visible exactly once to read_committed readers.
 *       Then the job is cancelled and resubmitted as above.</li>
 * </ul>
 */
class FlinkClusterITCase {

    private static final int UNDECODABLE = 5;

    private static Path workDir;
    private static EmbeddedKafka kafka;
    private static SchemaRegistryServer registry;
    private static StandaloneFlinkCluster cluster;
    private static String jarId;
    private static int run;
    /** The job the last resubmission started. */
    private static String runningJob;

    @BeforeAll
    static void start() throws Exception {
        workDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "flink-cluster-");
        kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().optDataDir(workDir.resolve("kafka")).build());
        registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
        cluster = StandaloneFlinkCluster.start(workDir.resolve("flink"));
        cluster.startTaskManager("tm-1");
        cluster.startTaskManager("tm-2");
        jarId = cluster.uploadJar(jobJar());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void cancelAndResubmitOnTheSameTaskManagers() throws Exception {
        Topics t = topics("resubmit");
        int produced = produce(t.input, 400, 0, 1);
        String first = cluster.runJar(jarId, args(t), null);
        awaitVersions(t, 3, Duration.ofMinutes(3));
        List<String> hosts = cluster.taskManagersOf(first);
        cluster.await("a completed checkpoint", Duration.ofMinutes(1), () -> cluster.completedCheckpoints(first) > 0);

        Resubmitted r = cancelAndResubmit(t, first, hosts, 100);
        produced += r.produced();
        awaitAllAccountedFor(t, produced, Duration.ofMinutes(4));
        assertVersionsExactlyOnce(t);
        assertThat(versions(t).get(versions(t).size() - 1)).isGreaterThan(r.lastVersionBefore() + 1);
        assertThat(cluster.restarts(runningJob)).as("restarts of the resubmitted job (root cause: %s)",
                cluster.rootException(runningJob)).isZero();
        cluster.cancel(runningJob);
    }

    @Test
    @Tag("slow")
    void taskManagerKilledMidStream() throws Exception {
        Topics t = topics("failover");
        int produced = produce(t.input, 240, UNDECODABLE, 3);
        String job = cluster.runJar(jarId, args(t), null);
        awaitVersions(t, 3, Duration.ofMinutes(3));
        cluster.await("a completed checkpoint", Duration.ofMinutes(1), () -> cluster.completedCheckpoints(job) > 0);
        List<String> hosts = cluster.taskManagersOf(job);
        assertThat(hosts).hasSize(1);
        String victim = hosts.get(0);
        produced += produce(t.input, 240, 0, 4);
        long versionsBeforeKill = versions(t).size();
        assertThat(accounted(t)).as("the kill lands mid-stream").isLessThan(produced);

        cluster.kill(victim);
        cluster.await("a restart after the SIGKILL", Duration.ofMinutes(2), () -> cluster.restarts(job) >= 1);
        cluster.startTaskManager(victim + "-replacement");
        awaitAllAccountedFor(t, produced, Duration.ofMinutes(6));
        assertThat((long) versions(t).size()).as("versions after the failover").isGreaterThan(versionsBeforeKill);
        List<String> survivors = cluster.taskManagersOf(job);
        assertThat(survivors).isNotEmpty().doesNotContain(victim);
        assertThat(cluster.logLines(survivors.get(0), "Training on device cpu"))
                .as("the training operator opened (DJL loaded) on the surviving TaskManager").isGreaterThan(0);
        assertThat(cluster.logLines(survivors.get(0), "Failed to load PyTorch native library")).isZero();
        assertVersionsExactlyOnce(t);

        Resubmitted r = cancelAndResubmit(t, job, survivors, 100);
        produced += r.produced();
        awaitAllAccountedFor(t, produced, Duration.ofMinutes(4));
        assertVersionsExactlyOnce(t);
        assertThat(versions(t).get(versions(t).size() - 1)).isGreaterThan(r.lastVersionBefore());
        cluster.cancel(runningJob);
    }

    /** What {@link #cancelAndResubmit} did: the highest version before the first cancellation, events produced. */
    private record Resubmitted(long lastVersionBefore, int produced) {
    }

    /**
     * The newest complete checkpoint in the directory of {@code reported}: the REST API's checkpoint statistics are
     * cached, so the checkpoint it names may already be subsumed (and deleted) by a later one retained on cancel.
     */
    private static String newestRetained(String reported) throws java.io.IOException {
        Path dir = Path.of(java.net.URI.create(reported)).getParent();
        try (java.util.stream.Stream<Path> children = java.nio.file.Files.list(dir)) {
            return children.filter(c -> c.getFileName().toString().startsWith("chk-"))
                    .filter(c -> java.nio.file.Files.exists(c.resolve("_metadata")))
                    .max(java.util.Comparator.comparingLong(
                            c -> Long.parseLong(c.getFileName().toString().substring(4))))
                    .map(c -> c.toUri().toString())
                    .orElse(reported);
        }
    }

    /**
     * Cancels the job and submits it again from its retained checkpoint until it lands on a TaskManager JVM that
     * ran an earlier job (at most twice with two TaskManagers), and checks that it trains there without a restart:
     * DJL's natives, loaded by lib/'s classloader, serve the new job's classloader. While the job is cancelled,
     * {@code eventsPerCancel} new events are produced, so the resubmitted job has new versions to publish whether
     * or not the cancelled one had caught up with the stream.
     */
    private static Resubmitted cancelAndResubmit(Topics t, String job, List<String> hosts, int eventsPerCancel)
            throws Exception {
        Set<String> used = new HashSet<>(hosts);
        long first = -1;
        int produced = 0;
        for (int attempt = 0; attempt < 2; attempt++) {
            cluster.cancel(job);
            String reported = cluster.latestCheckpoint(job);
            assertThat(reported).as("checkpoint retained on cancellation").isNotNull();
            String retained = newestRetained(reported);
            assertThat(Path.of(java.net.URI.create(retained))).exists();
            List<Long> before = versions(t);
            long last = before.get(before.size() - 1);
            first = first < 0 ? last : first;
            produced += produce(t.input, eventsPerCancel, 0, 100 + run * 10L + attempt);

            job = cluster.runJar(jarId, args(t), retained);
            awaitVersions(t, before.size() + 2, Duration.ofMinutes(3));
            String resubmitted = job;
            assertThat(cluster.restarts(resubmitted)).as("restarts of the resubmitted job (root cause: %s)",
                    cluster.rootException(resubmitted)).isZero();
            ModelSnapshot next = snapshots(t).stream().filter(s -> s.getVersion() == last + 1).findFirst()
                    .orElseThrow();
            assertThat(next.getParentVersion()).as("restored from the retained checkpoint").isEqualTo(last);
            List<String> on = cluster.taskManagersOf(job);
            assertThat(on).hasSize(1);
            if (used.contains(on.get(0))) {
                assertThat(cluster.logLines(on.get(0), "Training on device")).as("jobs trained on " + on.get(0))
                        .isGreaterThanOrEqualTo(2);
                assertThat(cluster.logLines(on.get(0), "Failed to load PyTorch native library")).isZero();
                runningJob = job;
                return new Resubmitted(first, produced);
            }
            used.addAll(on);
        }
        throw new AssertionError("No resubmission ran on a TaskManager of an earlier job: " + used);
    }

    private record Topics(String input, String snapshots, String latest, String reports, String deadLetters,
            String heldOut, String name) {
    }

    private static Topics topics(String name) {
        String id = name + "-" + (++run);
        Topics t = new Topics(id + ".events", id + ".snapshots", id + ".snapshots.latest", id + ".reports",
                id + ".deadletters", id + ".heldout", id);
        kafka.createTopic(t.input, 1, Map.of());
        String maxBytes = Long.toString(JobOptions.MAX_REQUEST_SIZE.defaultValue().getBytes());
        kafka.createTopic(t.snapshots, 1, Map.of("max.message.bytes", maxBytes));
        kafka.createTopic(t.latest, 1, Map.of("max.message.bytes", maxBytes));
        for (String topic : List.of(t.reports, t.deadLetters, t.heldOut)) {
            kafka.createTopic(topic, 1, Map.of());
        }
        return t;
    }

    /** The job's arguments as {@code flink run} passes them: an unbounded job, a snapshot per batch. */
    private static List<String> args(Topics t) {
        Map<String, String> o = new LinkedHashMap<>(TestData.smallLearnerOptions());
        o.put(JobOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        o.put(JobOptions.REGISTRY_URL.key(), registry.url());
        o.put(JobOptions.INPUT_TOPIC.key(), t.input);
        o.put(JobOptions.SNAPSHOTS_TOPIC.key(), t.snapshots);
        o.put(JobOptions.LATEST_TOPIC.key(), t.latest);
        o.put(JobOptions.REPORTS_TOPIC.key(), t.reports);
        o.put(JobOptions.DEAD_LETTER_TOPIC.key(), t.deadLetters);
        o.put(JobOptions.HELDOUT_TOPIC.key(), t.heldOut);
        o.put(JobOptions.STARTING_OFFSETS.key(), "EARLIEST");
        o.put(JobOptions.GROUP_ID.key(), t.name);
        o.put(JobOptions.TRANSACTIONAL_ID_PREFIX.key(), t.name);
        o.put(JobOptions.JOB_NAME.key(), t.name);
        o.put(JobOptions.BATCH_SIZE.key(), "8");
        o.put(JobOptions.BATCH_TIMEOUT.key(), "300ms");
        o.put(JobOptions.SNAPSHOT_EVERY_BATCHES.key(), "1");
        o.put(JobOptions.SNAPSHOT_INTERVAL.key(), "0");
        o.put(JobOptions.HELD_OUT_FRACTION.key(), "0.1");
        o.put(JobOptions.EVAL_ROBUST.key(), "false");
        o.put(JobOptions.DEVICE.key(), "cpu");
        o.put(JobOptions.CHECKPOINT_INTERVAL.key(), "1s");
        List<String> args = new ArrayList<>();
        o.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return args;
    }

    private static Path jobJar() throws Exception {
        try (var files = Files.list(DeployFiles.repoRoot().resolve("flink-job/target"))) {
            Path jar = files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("No job jar in flink-job/target: run mvn package first"));
            try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
                assertThat(zip.getEntry("ai/djl/engine/Engine.class")).as("DJL stays out of the job jar").isNull();
                assertThat(zip.getEntry("io/bulwark/job/BulwarkJob.class")).isNotNull();
            }
            return jar;
        }
    }

    /** Writes {@code n} labeled events and {@code undecodable} non-Avro records; returns how many were written. */
    private static int produce(String topic, int n, int undecodable, long seed) {
        EmbeddedDeployment.produceEvents(kafka.bootstrapServers(),
                RegistryConfig.builder().setUrl(registry.url()).build(), topic, "e" + seed + "-", seed, n,
                undecodable, 0);
        return n + undecodable;
    }

    private static void awaitVersions(Topics t, int n, Duration timeout) throws InterruptedException {
        cluster.await(n + " versions", timeout, () -> versions(t).size() >= n);
    }

    /** Waits until trained + held out + dead letters = produced, all read with read_committed. */
    private static void awaitAllAccountedFor(Topics t, int produced, Duration timeout) throws InterruptedException {
        cluster.await("trained + held out + dead letters = " + produced, timeout, () -> accounted(t) >= produced);
        assertThat(accounted(t)).as("trained + held out + dead letters").isEqualTo(produced);
    }

    private static long accounted(Topics t) {
        List<ModelSnapshot> s = snapshots(t);
        long trained = s.isEmpty() ? 0 : s.get(s.size() - 1).getExamplesSeen();
        return trained + read(t.heldOut).size() + read(t.deadLetters).size();
    }

    private static void assertVersionsExactlyOnce(Topics t) {
        List<Long> v = versions(t);
        assertThat(v).as("versions seen by read_committed readers")
                .isEqualTo(LongStream.rangeClosed(1, v.size()).boxed().toList());
        List<ModelSnapshot> s = snapshots(t);
        // Every version follows a trained batch, so it has seen more examples. Its source offset does not go back,
        // but may stay: a batch closed by the time-out can hold only events consumed before the previous batch (a
        // label's held-back events, released when it qualified), whose offsets that batch already reflected.
        for (int i = 1; i < s.size(); i++) {
            assertThat(s.get(i).getExamplesSeen()).as("examples seen by version %d", i + 1)
                    .isGreaterThan(s.get(i - 1).getExamplesSeen());
            assertThat(s.get(i).getSourceOffsets().get(0).getOffset()).as("source offset of version %d", i + 1)
                    .isGreaterThanOrEqualTo(s.get(i - 1).getSourceOffsets().get(0).getOffset());
        }
    }

    private static List<Long> versions(Topics t) {
        return snapshots(t).stream().map(ModelSnapshot::getVersion).toList();
    }

    private static List<ModelSnapshot> snapshots(Topics t) {
        RegistryConfig rc = RegistryConfig.builder().setUrl(registry.url()).build();
        try (AvroRegistryCodec<ModelSnapshot> codec = AvroRegistryCodec.forClass(ModelSnapshot.class, rc)) {
            List<ModelSnapshot> out = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : read(t.snapshots)) {
                out.add(codec.decode(t.snapshots, r.value()));
            }
            return out;
        }
    }

    /** Every committed record of a one-partition topic, with read_committed. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
