package io.bulwark.job.source;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RecordDecodeException;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;

/**
 * Turns input records into {@link InboundRecord}s through the schema registry and never fails on bad data: a null,
 * non-wire-format, corrupt, unknown-schema or incompatible-schema value becomes an undecoded record carrying the
 * reason, which the validation step sends to the dead-letter topic.
 *
 * <p>An unreachable registry is not the record's fault: it raises an {@link IOException}, so the task fails and
 * Flink's restart strategy retries from the last checkpoint instead of dead-lettering good records.
 */
public final class LabeledTextDeserializer implements KafkaRecordDeserializationSchema<InboundRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LabeledTextDeserializer.class);

    private final AvroRegistryCodec<LabeledText> codec;

    /** Creates a deserializer decoding values with {@code codec}. */
    public LabeledTextDeserializer(AvroRegistryCodec<LabeledText> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        LOG.info("Decoding LabeledText through {}", codec.config());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InboundRecord> out) throws IOException {
        out.collect(decode(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value()));
    }

    /**
     * Decodes one record's value; decode failures other than an unreachable registry are returned as an undecoded
     * record with the reason.
     *
     * @throws IOException when the registry cannot be reached (a transient failure: retry, do not dead-letter)
     */
    public InboundRecord decode(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value)
            throws IOException {
        InboundRecord r = new InboundRecord();
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        r.timestamp = timestamp;
        r.key = key;
        r.value = value;
        LabeledText event;
        try {
            event = codec.decode(topic, value);
        } catch (RecordDecodeException e) {
            if (e.isTransient()) {
                throw new IOException("Schema registry unavailable while decoding " + topic + "-" + partition + "@"
                        + offset + "; the job restarts and retries: " + e.getMessage(), e);
            }
            r.failureReason = reason(e.reason()).name();
            r.failureDetail = e.getMessage();
            return r;
        } catch (RuntimeException e) {
            r.failureReason = DeadLetterReason.UNDECODABLE.name();
            r.failureDetail = "cannot decode LabeledText: " + e;
            return r;
        }
        r.id = event.getId();
        r.text = event.getText();
        r.label = event.getLabel();
        r.eventTime = event.getEventTime() == null ? timestamp : event.getEventTime().toEpochMilli();
        r.modelKey = event.getModelKey();
        r.weight = event.getWeight();
        return r;
    }

    private static DeadLetterReason reason(RecordDecodeException.Reason reason) {
        switch (reason) {
            case UNKNOWN_SCHEMA:
                return DeadLetterReason.UNKNOWN_SCHEMA;
            case INCOMPATIBLE_SCHEMA:
                return DeadLetterReason.INCOMPATIBLE_SCHEMA;
            case UNDECODABLE:
            default:
                return DeadLetterReason.UNDECODABLE;
        }
    }

    @Override
    public TypeInformation<InboundRecord> getProducedType() {
        return TypeInformation.of(InboundRecord.class);
    }
}
