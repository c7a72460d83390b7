package io.bulwark.job.sink;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.testutil.FakeSchemaRegistry;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Held-out records outlive the broker's time-based retention for as long as the topic's {@code retention.ms} after
 * they were published, whatever the event time they carry. Kafka deletes a segment once its newest record
 * timestamp is older than {@code retention.ms}, and deletes the active segment too when every segment qualifies:
 * a record stamped with an event time years old would be gone at the next retention check (every 5 min by default).
 */
class HeldOutRetentionITCase {

    private static final long YEARS_AGO = 1_700_000_000_000L;
    private static final Map<String, String> ONE_DAY = Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis()));

    @Test
    void heldOutRecordsWithOldEventTimesSurviveARetentionCheck() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "heldout-retention-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().optDataDir(dir)
                     .optBrokerConfig("log.retention.check.interval.ms", "500")
                     .optBrokerConfig("log.initial.task.delay.ms", "0").build());
             FakeSchemaRegistry registry = FakeSchemaRegistry.start();
             AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                     RegistryConfig.builder().setUrl(registry.url()).build());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            kafka.createTopic("heldout", 1, ONE_DAY);
            kafka.createTopic("control", 1, ONE_DAY);
            HeldOutSerializer serializer = new HeldOutSerializer("heldout", codec);
            for (int i = 0; i < 20; i++) {
                producer.send(serializer.serialize(event(i), null, null)).get();
            }
            // A record as old as the events, written after them: once the broker deleted it, a retention check
            // ran over the held-out topic too.
            producer.send(new ProducerRecord<>("control", null, YEARS_AGO, null,
                    "old".getBytes(StandardCharsets.UTF_8))).get();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (startOffset(kafka, "control") == 0) {
                assertThat(System.nanoTime()).as("the control record is deleted by retention").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(startOffset(kafka, "heldout")).as("held-out records deleted by retention").isZero();
        }
    }

    @Test
    void theRecordTimestampIsThePublicationTimeAndTheEventTimeStaysInThePayload() throws Exception {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start();
             AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                     RegistryConfig.builder().setUrl(registry.url()).build())) {
            ProducerRecord<byte[], byte[]> r = new HeldOutSerializer("heldout", codec).serialize(event(3), null, null);
            assertThat(r.timestamp()).as("left to the producer: the time of sending").isNull();
            assertThat(codec.decode("heldout", r.value()).getEventTime().toEpochMilli()).isEqualTo(YEARS_AGO + 3);
        }
    }

    private static long startOffset(EmbeddedKafka kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return c.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    private static TrainingEvent event(int i) {
        TrainingEvent e = new TrainingEvent();
        e.modelId = "m";
        e.id = "e" + i;
        e.text = "text " + i;
        e.label = "spam";
        e.weight = 1f;
        e.eventTime = YEARS_AGO + i;
        return e;
    }
}
