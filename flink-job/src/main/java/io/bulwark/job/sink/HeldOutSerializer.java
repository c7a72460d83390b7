package io.bulwark.job.sink;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes a held-out {@link TrainingEvent} as a {@link LabeledText} keyed by its model id, with {@code modelKey} set
 * to the model id the job resolved (so a consumer needs no default model id).
 *
 * <p>The Kafka record timestamp is left to the producer (the time of sending); the event time travels in the
 * payload. Kafka's time-based retention goes by record timestamps and removes even the active segment once every
 * record in it is older than {@code retention.ms}: stamped with the event time, held-out records of a replayed or
 * late stream would be deleted at the broker's next retention check, minutes after they were published.
 */
public final class HeldOutSerializer implements KafkaRecordSerializationSchema<TrainingEvent> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroRegistryCodec<LabeledText> codec;

    /** Creates a serializer writing to {@code topic} with {@code codec}. */
    public HeldOutSerializer(String topic, AvroRegistryCodec<LabeledText> codec) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The Avro record published for {@code e}. */
    public static LabeledText toAvro(TrainingEvent e) {
        return LabeledText.newBuilder()
                .setId(e.id)
                .setText(e.text)
                .setLabel(e.label)
                .setEventTime(Instant.ofEpochMilli(e.eventTime))
                .setModelKey(e.modelId)
                .setWeight(e.weight)
                .build();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(TrainingEvent e, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, e.modelId.getBytes(StandardCharsets.UTF_8),
                codec.encode(topic, toAvro(e)));
    }
}
