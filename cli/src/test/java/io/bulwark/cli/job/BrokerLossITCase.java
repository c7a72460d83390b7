package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.cli.local.TopicReader;
import io.bulwark.cli.testutil.CliProcess;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.job.JobOptions;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.train.HeldOutSelector;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job on a three-broker KRaft cluster (each broker a process of its own; replication factor 3 and min ISR 2
 * everywhere) survives the SIGKILL of one broker mid-stream: the broker that holds the transaction coordinator of
 * the job's exactly-once sinks. {@code bulwark run}, in a JVM of its own, goes on with two brokers and stops once
 * idle; at the end every record produced is trained, held out or dead-lettered exactly once, a read_committed
 * consumer sees every version 1..N exactly once and in order, and the last version has seen every trained event.
 */
@Tag("slow")
class BrokerLossITCase {

    private static final double HELD_OUT = 0.1;
    private static final int BATCH = 4;
    private static final int SNAPSHOT_EVERY = 5;
    private static final int GARBAGE_EVERY = 37;
    private static final String TX_STATE = "__transaction_state";

    private static EmbeddedStack stack;

    @BeforeAll
    static void startCluster() {
        stack = EmbeddedStack.start(EmbeddedKafka.Options.builder().optBrokers(3).optNodeProcesses(true).build(), 0);
    }

    @AfterAll
    static void stopCluster() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void killingTheTransactionCoordinatorsBrokerLosesNothingAndDuplicatesNoVersion() throws Exception {
        EmbeddedKafka kafka = stack.kafka();
        Configuration conf = JobRuns.jobConfig(stack, "broker-loss");
        // A retention far longer than the run, so that only the broker kill can lose records.
        TopicLayout layout = TopicLayout.of(conf, 1, Duration.ofDays(36_500));
        stack.createTopics(layout);
        for (String topic : layout.partitions().keySet()) {
            assertThat(describe(kafka.admin(), topic).partitions()).as(topic)
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        }

        List<LabeledText> events = stream(300);
        long garbage = events.size() / GARBAGE_EVERY;
        long produced = events.size() + garbage;
        long expectedHeldOut = events.stream().filter(BrokerLossITCase::heldOut).count();
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "broker-loss-" + Long.toHexString(System.nanoTime()));
        Path report = work.resolve("report.json");

        CliProcess run = CliProcess.start(work.resolve("run"), List.of(args(conf, work.resolve("state"), report)));
        int killed;
        try (Producer producer = new Producer(layout.input())) {
            int half = events.size() / 2;
            producer.send(events, 0, half);
            JobRuns.await("a committed version before the kill", Duration.ofMinutes(3), () -> {
                assertThat(run.alive()).as("run is alive").isTrue();
                AtomicLong versions = new AtomicLong();
                TopicReader.forEach(JobRuns.clientProperties(stack), layout.snapshots(), Duration.ofSeconds(30),
                        rec -> versions.incrementAndGet());
                return versions.get() > 0;
            });
            killed = describe(kafka.admin(), TX_STATE).partitions().get(0).leader().id();
            System.err.printf("Killing broker %d (pid %d): %s%n", killed, kafka.pid(killed), roles(kafka, killed,
                    layout));
            kafka.kill(killed);
            producer.send(events, half, events.size());
        }
        assertThat(run.await(300)).as("exit code of run, stopped by itself once idle; " + run.errTail()).isZero();
        assertThat(kafka.alive(killed)).isFalse();

        JsonNode r = new ObjectMapper().readTree(report.toFile());
        String state = "produced " + produced + " (" + events.size() + " events, " + garbage + " undecodable, "
                + expectedHeldOut + " to hold out); report " + r + "; " + transactions(kafka.admin(), layout);
        System.err.println(state);
        assertThat(r.get("events_trained").asLong() + r.get("events_held_out").asLong()
                + r.get("dead_letters").asLong()).as("trained + held out + dead letters: " + state)
                .isEqualTo(produced);
        assertThat(r.get("dead_letters").asLong()).as("dead letters").isEqualTo(garbage);
        assertThat(r.get("events_held_out").asLong()).as("held out").isEqualTo(expectedHeldOut);

        RunSummary summary = JobRuns.summary(stack, conf);
        long n = r.get("last_version").asLong();
        assertThat(summary.snapshots()).extracting(RunSummary.SnapshotHeader::version)
                .as("versions seen by a read_committed consumer, in topic order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList()));
        assertThat(summary.snapshots()).extracting(RunSummary.SnapshotHeader::examplesSeen)
                .as("examples seen by each version").isSorted().doesNotHaveDuplicates();
        ModelSnapshot last = summary.lastSnapshots().get("m");
        assertThat(last.getExamplesSeen()).as("the last version reflects every trained event")
                .isEqualTo(r.get("events_trained").asLong());
    }

    /** The {@code run} arguments: the job configuration's topics, the small learner, stop after 20 s idle. */
    private static String[] args(Configuration conf, Path stateDir, Path report) {
        List<String> a = new ArrayList<>(List.of("run", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--state-dir", stateDir.toString(),
                "--report", report.toString(), "--batch-timeout", "0", "--snapshot-every", "" + SNAPSHOT_EVERY,
                "--checkpoint-interval", "500ms", "--until-idle", "20", "--device", "cpu", "--quiet"));
        Configuration job = new Configuration(conf);
        job.set(JobOptions.BATCH_SIZE, BATCH);
        job.set(JobOptions.HELD_OUT_FRACTION, HELD_OUT);
        job.set(JobOptions.EVAL_ROBUST, false);
        job.set(JobOptions.INTRA_OP_THREADS, 1);
        a.addAll(JobRuns.definitions(job, JobOptions.INPUT_TOPIC, JobOptions.SNAPSHOTS_TOPIC, JobOptions.LATEST_TOPIC,
                JobOptions.REPORTS_TOPIC, JobOptions.DEAD_LETTER_TOPIC, JobOptions.HELDOUT_TOPIC, JobOptions.GROUP_ID,
                JobOptions.TRANSACTIONAL_ID_PREFIX, JobOptions.JOB_NAME, JobOptions.BATCH_SIZE,
                JobOptions.HELD_OUT_FRACTION, JobOptions.EVAL_ROBUST, JobOptions.INTRA_OP_THREADS));
        TestData.smallLearnerOptions().forEach((k, v) -> a.add("-D" + k + "=" + v));
        return a.toArray(String[]::new);
    }

    /**
     * At least {@code n} events of model "m", cut where the trained ones fill whole snapshots: with batch time-out
     * 0 only full batches train, and the last version then holds every trained event.
     */
    private static List<LabeledText> stream(int n) {
        List<LabeledText> all = TestData.labeledTexts("m", "broker-loss", n + 400, 47);
        long trained = 0;
        for (int i = 0; i < all.size(); i++) {
            trained += heldOut(all.get(i)) ? 0 : 1;
            if (i + 1 >= n && trained % (BATCH * SNAPSHOT_EVERY) == 0) {
                return all.subList(0, i + 1);
            }
        }
        throw new IllegalStateException("no stream length fills whole snapshots");
    }

    private static boolean heldOut(LabeledText e) {
        return HeldOutSelector.isHeldOut("m", e.getId(), HELD_OUT);
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /**
     * The state of the output partitions' transactions: last stable offset against high watermark, and the
     * producers with a transaction still open.
     */
    private static String transactions(Admin admin, TopicLayout layout) throws Exception {
        List<String> out = new ArrayList<>();
        for (String topic : List.of(layout.heldOut(), layout.deadLetters(), layout.snapshots())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long lso = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(tp).get().offset();
            long hw = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).partitionResult(tp).get().offset();
            List<String> open = admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers()
                    .stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                    .map(p -> "producer " + p.producerId() + " epoch " + p.producerEpoch() + " open since offset "
                            + p.currentTransactionStartOffset().getAsLong())
                    .collect(Collectors.toList());
            out.add(topic + ": last stable offset " + lso + ", high watermark " + hw + ", open " + open);
        }
        out.add("transactions " + admin.listTransactions().all().get().stream()
                .map(t -> t.transactionalId() + "=" + t.state()).collect(Collectors.toList()));
        return String.join("; ", out);
    }

    /** What the broker leads: the transaction and group coordinators, the controller quorum, input partitions. */
    private static String roles(EmbeddedKafka kafka, int id, TopicLayout layout) throws Exception {
        Admin admin = kafka.admin();
        List<String> roles = new ArrayList<>(List.of("transaction coordinator"));
        if (leaders(admin, "__consumer_offsets").contains(id)) {
            roles.add("group coordinator");
        }
        if (admin.describeMetadataQuorum().quorumInfo().get().leaderId() == id) {
            roles.add("active controller");
        }
        List<Integer> input = leaders(admin, layout.input());
        for (int p = 0; p < input.size(); p++) {
            if (input.get(p) == id) {
                roles.add("leader of input partition " + p);
            }
        }
        return String.join(", ", roles);
    }

    /** The leader of each partition of a topic; none when the topic does not exist (yet). */
    private static List<Integer> leaders(Admin admin, String topic) throws Exception {
        if (!admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get().contains(topic)) {
            return List.of();
        }
        return describe(admin, topic).partitions().stream().map(p -> p.leader() == null ? -1 : p.leader().id())
                .collect(Collectors.toList());
    }

    /** Sends events keyed by model, with an undecodable record after every {@value #GARBAGE_EVERY}th event. */
    private static final class Producer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer = JobRuns.producer(stack);
        private final AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                RegistryConfig.builder().setUrl(stack.registryUrl()).build());
        private final String topic;

        Producer(String topic) {
            this.topic = topic;
        }

        /** Sends events [from, to), 20 ms apart, each acknowledged by the in-sync replicas before the next. */
        void send(List<LabeledText> events, int from, int to) throws Exception {
            byte[] key = "m".getBytes(StandardCharsets.UTF_8);
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, key, codec.encode(topic, events.get(i)))).get();
                if ((i + 1) % GARBAGE_EVERY == 0) {
                    producer.send(new ProducerRecord<>(topic, key, ("not avro " + i).getBytes(
                            StandardCharsets.UTF_8))).get();
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() {
            producer.close();
            codec.close();
        }
    }
}
