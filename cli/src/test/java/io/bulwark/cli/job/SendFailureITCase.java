package io.bulwark.cli.job;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.JobOptions;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.testutil.TestData;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records the input producer cannot send are counted with their reason and dead-lettered, cut to fit and marked
 * truncated, and the demo's accounting adds up: input records = trained + held out + unlabeled + dead letters.
 */
class SendFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = JobRuns.miniCluster();

    @Test
    void aTooLargeAndAnUnserializableRecordAreCountedReportedAndDeadLettered() throws Exception {
        EmbeddedStack stack = SharedStack.get();
        Configuration conf = JobRuns.jobConfig(stack, "sendfailures");
        conf.set(JobOptions.HELD_OUT_FRACTION, 0.2);
        TopicLayout layout = JobRuns.createTopics(stack, conf, 1);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();

        List<RawInput> records = new ArrayList<>();
        long line = 1;
        for (LabeledText e : TestData.labeledTexts(null, "g", 40, 7)) {
            records.add(new RawInput(e, null, line++, 0));
        }
        // 1.2 MB of text: over the producer's default max.request.size (1 MiB).
        String huge = "free money ".repeat(110_000);
        long hugeLine = line++;
        records.add(new RawInput(LabeledText.newBuilder().setId("huge").setText(huge).setLabel("spam")
                .setEventTime(Instant.now()).build(), null, hugeLine, 0));
        // No id: LabeledText.id is required, so it cannot be serialized.
        LabeledText noId = new LabeledText();
        noId.setText("an event without id");
        noId.setLabel("ham");
        noId.setEventTime(Instant.now());
        long noIdLine = line++;
        records.add(new RawInput(noId, null, noIdLine, 0));
        for (int i = 0; i < 3; i++) {
            records.add(new RawInput(LabeledText.newBuilder().setId("u" + i).setText("no label here " + i)
                    .setEventTime(Instant.now()).build(), null, line++, 0));
        }

        long sent;
        List<SendFailure> failures;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             AvroRegistryCodec<DeadLetter> dead = AvroRegistryCodec.forClass(DeadLetter.class, registry);
             InputProducer producer = new InputProducer(JobRuns.clientProperties(stack), codec, layout.input(),
                     dead, layout.deadLetters())) {
            sent = producer.send(records, 0);
            failures = producer.failures();
            assertThat(producer.failuresByReason()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("RECORD_TOO_LARGE", 1L, "SERIALIZATION_FAILED", 1L));
            assertThat(producer.deadLettered()).isEqualTo(2);
        }
        assertThat(sent).isEqualTo(records.size() - 2);
        assertThat(failures).extracting(SendFailure::line).containsExactlyInAnyOrder(hugeLine, noIdLine);
        SendFailure tooLarge = failures.stream().filter(f -> f.reason() == DeadLetterReason.RECORD_TOO_LARGE)
                .findFirst().orElseThrow();
        assertThat(tooLarge.detail()).contains("max.request.size");

        JobRuns.runBounded(conf, Duration.ofMinutes(3));
        RunSummary summary = JobRuns.summary(stack, conf);

        List<DeadLetter> producerLetters = summary.deadLetters().stream().filter(d -> d.getOffset() < 0).toList();
        assertThat(producerLetters).hasSize(2);
        DeadLetter big = producerLetters.stream().filter(d -> d.getReason().equals("RECORD_TOO_LARGE"))
                .findFirst().orElseThrow();
        assertThat(big.getTruncated()).isTrue();
        assertThat(big.getOriginalValueSize()).isGreaterThan(huge.length());
        assertThat(big.getValue().remaining()).isEqualTo(Rejected.MAX_VALUE_BYTES);
        assertThat(big.getPartition()).isEqualTo(-1);
        assertThat(big.getTopic()).isEqualTo(layout.input());
        assertThat(big.getDetail()).contains("input line " + hugeLine).contains("max.request.size");
        DeadLetter unserializable = producerLetters.stream()
                .filter(d -> d.getReason().equals("SERIALIZATION_FAILED")).findFirst().orElseThrow();
        assertThat(unserializable.getTruncated()).isFalse();
        assertThat(StandardCharsets.UTF_8.decode(unserializable.getValue().duplicate()).toString())
                .contains("an event without id");

        Map<String, Object> report = DemoCommand.summaryJson(summary, records.size(), sent, failures, 1, 1, 0);
        assertThat(report).containsEntry("input_records", (long) records.size())
                .containsEntry("send_failures", 2).containsEntry("send_failures_dead_lettered", 2L)
                .containsEntry("events_unlabeled", 3L).containsEntry("unaccounted", 0L);
        long trained = summary.eventsTrained();
        long heldOut = summary.eventsHeldOut();
        long jobDeadLetters = summary.deadLetterCount() - producerLetters.size();
        assertThat(heldOut).isPositive();
        assertThat(jobDeadLetters).isZero();
        assertThat(trained + heldOut + summary.eventsUnlabeled() + jobDeadLetters)
                .as("trained %d + held out %d + unlabeled %d + job dead letters %d = produced", trained, heldOut,
                        summary.eventsUnlabeled(), jobDeadLetters)
                .isEqualTo(sent);
    }
}
