package io.bulwark.cli.job;

import io.bulwark.job.JobOptions;
import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.testutil.TestData;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad records of every kind land in the dead-letter topic with their reason and bytes; the good ones train. */
class DeadLetterITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = JobRuns.miniCluster();

    @Test
    void everyKindOfBadRecordIsDeadLetteredWhileGoodRecordsTrain() throws Exception {
        EmbeddedStack stack = SharedStack.get();
        Configuration conf = JobRuns.jobConfig(stack, "deadletters");
        conf.set(JobOptions.HELD_OUT_FRACTION, 0.0);
        conf.set(JobOptions.MAX_TEXT_LENGTH, 200);
        conf.set(JobOptions.MAX_LABELS, 2);
        TopicLayout layout = JobRuns.createTopics(stack, conf, 1);
        String topic = layout.input();
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();

        List<LabeledText> good = TestData.labeledTexts(null, "g", 48, 31);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        Map<String, DeadLetterReason> expected = new LinkedHashMap<>();
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry)) {
            bad.put("garbage", "this is not avro".getBytes(StandardCharsets.UTF_8));
            expected.put("garbage", DeadLetterReason.UNDECODABLE);
            byte[] unknownId = codec.encode(topic, good.get(0)).clone();
            ByteBuffer.wrap(unknownId).putInt(1, 987_654);
            bad.put("unknown-schema", unknownId);
            expected.put("unknown-schema", DeadLetterReason.UNKNOWN_SCHEMA);
            addBad(bad, expected, codec, topic, "empty", "   ", "ham", null, DeadLetterReason.EMPTY_TEXT);
            addBad(bad, expected, codec, topic, "missing", null, "ham", null, DeadLetterReason.MISSING_TEXT);
            addBad(bad, expected, codec, topic, "long", "x".repeat(201), "ham", null, DeadLetterReason.TEXT_TOO_LONG);
            addBad(bad, expected, codec, topic, "eggs", "spam and eggs", "eggs", null, DeadLetterReason.UNKNOWN_LABEL);
            addBad(bad, expected, codec, topic, "nan", "weighted", "ham", Float.NaN, DeadLetterReason.BAD_WEIGHT);
            addBad(bad, expected, codec, topic, "negative", "weighted", "spam", -1f, DeadLetterReason.BAD_WEIGHT);
            addBad(bad, expected, codec, topic, "infinite", "weighted", "spam", Float.POSITIVE_INFINITY,
                    DeadLetterReason.BAD_WEIGHT);

            // Good records first, so "ham" and "spam" fill the two-label cap before "eggs" arrives.
            JobRuns.produce(stack, topic, good);
            try (KafkaProducer<byte[], byte[]> producer = JobRuns.producer(stack)) {
                for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                    producer.send(new ProducerRecord<>(topic, e.getKey().getBytes(StandardCharsets.UTF_8),
                            e.getValue())).get();
                }
            }
        }

        JobRuns.runBounded(conf, Duration.ofMinutes(3));

        RunSummary summary = JobRuns.summary(stack, conf);
        assertThat(summary.lastSnapshots().get("default").getExamplesSeen()).isEqualTo(good.size());
        List<DeadLetter> dead = summary.deadLetters();
        assertThat(dead).hasSize(bad.size());
        Map<String, DeadLetter> byKey = dead.stream().collect(Collectors.toMap(
                d -> StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString(), d -> d));
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        for (Map.Entry<String, DeadLetterReason> e : expected.entrySet()) {
            DeadLetter d = byKey.get(e.getKey());
            assertThat(d.getReason()).as("reason of %s", e.getKey()).isEqualTo(e.getValue().name());
            assertThat(d.getDetail()).as("detail of %s", e.getKey()).isNotBlank();
            assertThat(d.getTopic()).isEqualTo(topic);
            assertThat(d.getOffset()).isGreaterThanOrEqualTo(good.size());
            byte[] raw = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(raw);
            assertThat(raw).as("raw bytes of %s", e.getKey()).isEqualTo(bad.get(e.getKey()));
        }
        String job = conf.get(JobOptions.JOB_NAME);
        assertThat(InProcessMetrics.sum(job, BulwarkMetrics.DEAD_LETTERS)).isEqualTo(bad.size());
        assertThat(InProcessMetrics.sumBy(job, BulwarkMetrics.DEAD_LETTERS, "<reason>"))
                .containsEntry("BAD_WEIGHT", 3L).containsEntry("UNKNOWN_LABEL", 1L);
    }

    private static void addBad(Map<String, byte[]> bad, Map<String, DeadLetterReason> expected,
                               AvroRegistryCodec<LabeledText> codec, String topic, String id, String text,
                               String label, Float weight, DeadLetterReason reason) {
        LabeledText e = LabeledText.newBuilder().setId(id).setText(text).setLabel(label).setWeight(weight)
                .setEventTime(Instant.now()).build();
        bad.put(id, codec.encode(topic, e));
        expected.put(id, reason);
    }
}
