package io.bulwark.job.sink;

import io.bulwark.avro.DeadLetter;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Objects;

/**
 * Writes a {@link Rejected} record as an Avro {@link DeadLetter} through the schema registry, keyed by the original
 * record's key so dead letters of one key stay in order.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<Rejected> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroRegistryCodec<DeadLetter> codec;

    /** Creates a serializer writing to {@code topic} with {@code codec}. */
    public DeadLetterSerializer(String topic, AvroRegistryCodec<DeadLetter> codec) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Rejected r, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, r.failedAt, r.key, codec.encode(topic, r.toAvro()));
    }
}
