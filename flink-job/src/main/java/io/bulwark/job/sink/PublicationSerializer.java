package io.bulwark.job.sink;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a {@link Publication} to its topic with its key, value and timestamp (the value is already encoded). */
public final class PublicationSerializer implements KafkaRecordSerializationSchema<Publication> {

    private static final long serialVersionUID = 1L;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Publication p, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(p.topic, null, p.timestamp, p.key, p.value);
    }
}
