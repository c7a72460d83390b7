package io.bulwark.job.source;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record read from the input topic: its position and raw bytes, and either the decoded LabeledText fields or
 * the reason it could not be decoded. A Flink POJO (public fields, no-arg constructor).
 */
public class InboundRecord {

    /** Source topic. */
    public String topic;
    /** Source partition. */
    public int partition;
    /** Source offset. */
    public long offset;
    /** Kafka record timestamp, epoch milliseconds. */
    public long timestamp;
    /** The raw key, or null. */
    public byte[] key;
    /** The raw value, or null. */
    public byte[] value;

    /** Decode failure reason (a {@code DeadLetterReason} name), or null when the record decoded. */
    public String failureReason;
    /** Decode failure detail, or null. */
    public String failureDetail;

    /** LabeledText.id. */
    public String id;
    /** LabeledText.text (may be null). */
    public String text;
    /** LabeledText.label (may be null). */
    public String label;
    /** LabeledText.eventTime. */
    public long eventTime;
    /** LabeledText.modelKey (may be null). */
    public String modelKey;
    /** LabeledText.weight (may be null = 1). */
    public Float weight;

    /** Creates an empty record (for Flink's POJO serializer). */
    public InboundRecord() {
    }

    /** Returns true when the value decoded into a LabeledText. */
    public boolean isDecoded() {
        return failureReason == null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InboundRecord)) {
            return false;
        }
        InboundRecord r = (InboundRecord) o;
        return partition == r.partition && offset == r.offset && timestamp == r.timestamp
                && eventTime == r.eventTime && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value) && Objects.equals(failureReason, r.failureReason)
                && Objects.equals(failureDetail, r.failureDetail) && Objects.equals(id, r.id)
                && Objects.equals(text, r.text) && Objects.equals(label, r.label)
                && Objects.equals(modelKey, r.modelKey) && Objects.equals(weight, r.weight);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, id);
    }

    @Override
    public String toString() {
        return "InboundRecord{" + topic + "-" + partition + "@" + offset
                + (isDecoded() ? ", id=" + id + ", label=" + label + ", modelKey=" + modelKey
                : ", failure=" + failureReason + ": " + failureDetail) + "}";
    }
}
