package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.cli.BulwarkCli;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.StateDirectory;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.cli.local.TopicReader;
import io.bulwark.cli.testutil.CliProcess;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.JobOptions;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.train.HeldOutSelector;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job survives kill -9: {@code bulwark run} in a JVM of its own is killed with SIGKILL mid-stream and started
 * again on the same state directory, while the stream goes on. At the end, every record produced is trained, held
 * out or dead-lettered exactly once, a read_committed consumer sees every version 1..N exactly once and in order
 * with increasing source offsets, and (batch time-out 0) the final model is bitwise the one of an uninterrupted run.
 */
class KillNineITCase {

    private static final double HELD_OUT = 0.1;
    private static final int BATCH = 4;
    private static final int SNAPSHOT_EVERY = 5;
    private static final int GARBAGE_EVERY = 37;

    /** Two kill -9 and restarts, then a run that stops when idle. */
    @Test
    @Tag("slow") // 2.5 to 5 minutes on the shared 2-core build machine
    void twoKillsAndRestartsLoseNothingDuplicateNothingAndEndBitwiseEqual() throws Exception {
        scenario("kill9", 3, 140, false);
    }

    /** A longer stream: three kill -9, a SIGTERM (savepoint) and a restart from that savepoint. */
    @Test
    @Tag("slow")
    void threeKillsAndASigtermOverALongerStream() throws Exception {
        scenario("kill9-long", 5, 400, true);
    }

    /**
     * Runs {@code chunks} processes: each but the last is killed (the one before the last with SIGTERM when
     * {@code sigterm}) once it has committed a new version while its chunk of about {@code perChunk} events is
     * being produced; the last one stops when idle.
     */
    private static void scenario(String name, int chunks, int perChunk, boolean sigterm) throws Exception {
        EmbeddedStack stack = SharedStack.get();
        List<LabeledText> events = stream(name, chunks * perChunk);
        long garbage = events.size() / GARBAGE_EVERY;
        long produced = events.size() + garbage;
        long expectedHeldOut = events.stream().filter(e -> heldOut(e)).count();

        Path work = Path.of(System.getProperty("java.io.tmpdir"), name + "-" + Long.toHexString(System.nanoTime()));
        Configuration reference = JobRuns.jobConfig(stack, name + "-reference");
        JobRuns.createTopics(stack, reference, 1);
        try (Producer p = new Producer(stack, reference.get(JobOptions.INPUT_TOPIC))) {
            p.send(events, 0, events.size(), 0);
        }
        Path referenceReport = work.resolve("reference.json");
        int code = BulwarkCli.execute(args(stack, reference, work.resolve("reference-state"), 3, referenceReport)
                .toArray(String[]::new), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        assertThat(code).as("uninterrupted run's exit code").isZero();

        Configuration conf = JobRuns.jobConfig(stack, name);
        TopicLayout layout = JobRuns.createTopics(stack, conf, 1);
        Path stateDir = work.resolve("state");
        Path report = work.resolve("report.json");
        List<CliProcess> runs = new ArrayList<>();
        try (Producer producer = new Producer(stack, layout.input())) {
            for (int k = 0; k < chunks; k++) {
                final int index = k;
                boolean last = k == chunks - 1;
                Instant launched = Instant.now();
                long versionsBefore = count(stack, layout.snapshots());
                CliProcess run = CliProcess.start(work.resolve("run-" + k),
                        args(stack, conf, stateDir, last ? 4 : 0, last ? report : work.resolve("report-" + k)));
                runs.add(run);
                awaitCheckpointAfter(stateDir, launched, run);
                int from = k * events.size() / chunks;
                int to = (k + 1) * events.size() / chunks;
                Thread sender = new Thread(() -> producer.send(events, from, to, 20), "produce-chunk-" + index);
                sender.start();
                if (last) {
                    sender.join();
                    assertThat(run.await(300)).as("exit code of the last run; stderr:\n" + run.errTail()).isZero();
                    break;
                }
                JobRuns.await("a new committed version from run " + k, Duration.ofMinutes(3), () -> {
                    if (!run.alive()) {
                        throw new AssertionError("run " + index + " died:\n" + tail(run));
                    }
                    return count(stack, layout.snapshots()) > versionsBefore;
                });
                Thread.sleep(200 + new Random(k).nextInt(600));
                if (sigterm && k == chunks - 2) {
                    run.terminate();
                    assertThat(run.await(180)).as("exit code after SIGTERM").isZero();
                    assertThat(run.out()).contains("\"stopped_by\" : \"SIGTERM\"");
                } else {
                    run.kill();
                }
                sender.join();
            }
        }

        JsonNode r = new ObjectMapper().readTree(report.toFile());
        assertThat(r.get("events_trained").asLong() + r.get("events_held_out").asLong()
                + r.get("dead_letters").asLong()).as("trained + held out + dead letters, report " + r)
                .isEqualTo(produced);
        assertThat(r.get("dead_letters").asLong()).isEqualTo(garbage);
        assertThat(r.get("events_held_out").asLong()).isEqualTo(expectedHeldOut);
        assertThat(r.get("restored_from").isNull()).as("the last run restored").isFalse();
        if (sigterm) {
            assertThat(r.get("restored_from").asText()).contains("savepoints");
        }
        for (int k = 1; k < runs.size(); k++) {
            assertThat(runs.get(k).err()).as("run " + k + " resumed").contains("Resuming from");
        }

        List<JsonNode> listed = listJson(stack, layout);
        long n = r.get("last_version").asLong();
        assertThat(listed).extracting(j -> j.get("version").asLong()).as("versions seen by read_committed")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList()));
        List<Long> offsets = listed.stream().map(j -> j.get("offsets").get(0).get("offset").asLong())
                .collect(Collectors.toList());
        assertThat(offsets).as("source offsets in each version's provenance").isSorted().doesNotHaveDuplicates();

        RunSummary faulty = JobRuns.summary(stack, conf);
        RunSummary clean = JobRuns.summary(stack, reference);
        assertThat(faulty.snapshots()).extracting(h -> h.version() + ":" + h.examplesSeen())
                .isEqualTo(clean.snapshots().stream().map(h -> h.version() + ":" + h.examplesSeen())
                        .collect(Collectors.toList()));
        ModelSnapshot last = faulty.lastSnapshots().get("m");
        ModelSnapshot expected = clean.lastSnapshots().get("m");
        assertThat(last.getExamplesSeen()).as("the last version reflects every trained event")
                .isEqualTo(r.get("events_trained").asLong());
        assertThat(last.getPayload().getBytes()).as("student parameters, against the uninterrupted run")
                .isEqualTo(expected.getPayload().getBytes());
        assertThat(last.getTeacherPayload()).as("teacher parameters").isEqualTo(expected.getTeacherPayload());
    }

    /** The {@code run} arguments of a job configuration's topics, with the small learner of the tests. */
    private static List<String> args(EmbeddedStack stack, Configuration conf, Path stateDir, int untilIdle,
                                     Path report) {
        List<String> a = new ArrayList<>(List.of("run", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--state-dir", stateDir.toString(),
                "--report", report.toString(), "--batch-timeout", "0", "--snapshot-every", "" + SNAPSHOT_EVERY,
                "--checkpoint-interval", "500ms", "--until-idle", "" + untilIdle, "--device", "cpu"));
        for (var option : List.of(JobOptions.INPUT_TOPIC, JobOptions.SNAPSHOTS_TOPIC, JobOptions.LATEST_TOPIC,
                JobOptions.REPORTS_TOPIC, JobOptions.DEAD_LETTER_TOPIC, JobOptions.HELDOUT_TOPIC, JobOptions.GROUP_ID,
                JobOptions.TRANSACTIONAL_ID_PREFIX, JobOptions.JOB_NAME)) {
            a.add("-D" + option.key() + "=" + conf.get(option));
        }
        a.add("-D" + JobOptions.BATCH_SIZE.key() + "=" + BATCH);
        a.add("-D" + JobOptions.HELD_OUT_FRACTION.key() + "=" + HELD_OUT);
        a.add("-D" + JobOptions.EVAL_ROBUST.key() + "=false");
        a.add("-D" + JobOptions.INTRA_OP_THREADS.key() + "=1");
        TestData.smallLearnerOptions().forEach((k, v) -> a.add("-D" + k + "=" + v));
        return a;
    }

    /**
     * About {@code n} events of model "m" whose trained part fills whole snapshots (batch time-out 0 trains only
     * full batches; the last version then holds the whole stream).
     */
    private static List<LabeledText> stream(String prefix, int n) {
        List<LabeledText> all = TestData.labeledTexts("m", prefix, n + 400, 31);
        int trained = 0;
        for (int i = 0; i < all.size(); i++) {
            if (!heldOut(all.get(i))) {
                trained++;
            }
            if (i + 1 >= n && trained % (BATCH * SNAPSHOT_EVERY) == 0) {
                return all.subList(0, i + 1);
            }
        }
        throw new IllegalStateException("no stream length fills whole snapshots");
    }

    private static boolean heldOut(LabeledText e) {
        return HeldOutSelector.isHeldOut("m", e.getId(), HELD_OUT);
    }

    private static long count(EmbeddedStack stack, String topic) {
        AtomicLong n = new AtomicLong();
        TopicReader.forEach(JobRuns.clientProperties(stack), topic, Duration.ofSeconds(30), r -> n.incrementAndGet());
        return n.get();
    }

    /** Waits for a complete checkpoint written after {@code since}: the job of that process runs. */
    private static void awaitCheckpointAfter(Path stateDir, Instant since, CliProcess run) throws Exception {
        JobRuns.await("a checkpoint of the new run", Duration.ofMinutes(3), () -> {
            if (!run.alive()) {
                throw new AssertionError("run died:\n" + tail(run));
            }
            try {
                return Files.isDirectory(stateDir) && StateDirectory.of(stateDir).complete().stream()
                        .anyMatch(c -> c.written().toInstant().isAfter(since));
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    private static String tail(CliProcess run) {
        try {
            return run.errTail();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static List<JsonNode> listJson(EmbeddedStack stack, TopicLayout layout) throws Exception {
        StringWriter out = new StringWriter();
        int code = BulwarkCli.execute(new String[] {"snapshots", "list", "--json", "--bootstrap-servers",
            stack.bootstrapServers(), "--registry-url", stack.registryUrl(), "--topic", layout.snapshots(),
            "--reports-topic", layout.reports(), "--model", "m"}, new PrintWriter(out, true),
                new PrintWriter(System.err, true));
        assertThat(code).isZero();
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                nodes.add(mapper.readTree(line));
            }
        }
        return nodes;
    }

    /** Sends the stream's records, with an undecodable record after every {@value #GARBAGE_EVERY}th event. */
    private static final class Producer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final AvroRegistryCodec<LabeledText> codec;
        private final String topic;

        Producer(EmbeddedStack stack, String topic) {
            this.producer = JobRuns.producer(stack);
            this.codec = AvroRegistryCodec.forClass(LabeledText.class,
                    RegistryConfig.builder().setUrl(stack.registryUrl()).build());
            this.topic = topic;
        }

        /** Sends events [from, to), pausing {@code pauseMs} after each. */
        void send(List<LabeledText> events, int from, int to, long pauseMs) {
            byte[] key = "m".getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = from; i < to; i++) {
                    producer.send(new ProducerRecord<>(topic, key, codec.encode(topic, events.get(i)))).get();
                    if ((i + 1) % GARBAGE_EVERY == 0) {
                        byte[] junk = ("not avro " + i).getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(topic, key, junk)).get();
                    }
                    if (pauseMs > 0) {
                        Thread.sleep(pauseMs);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            producer.close();
            codec.close();
        }
    }
}
