package io.bulwark.job.deadletter;

import io.bulwark.avro.DeadLetter;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An input record the job could not use, on its way to the dead-letter topic; a Flink POJO that becomes an Avro
 * {@link DeadLetter} in the sink.
 */
public class Rejected {

    /** A {@link DeadLetterReason} name. */
    public String reason;
    /** Human-readable explanation. */
    public String detail;
    /** Source topic. */
    public String topic;
    /** Source partition. */
    public int partition;
    /** Source offset. */
    public long offset;
    /** The raw key, or null. */
    public byte[] key;
    /** The raw value exactly as read, or null. */
    public byte[] value;
    /** When the record was rejected, epoch milliseconds. */
    public long failedAt;

    /** Creates an empty instance (for Flink's POJO serializer). */
    public Rejected() {
    }

    /** Creates a rejection with every field. */
    public static Rejected of(DeadLetterReason reason, String detail, String topic, int partition, long offset,
                              byte[] key, byte[] value, long failedAt) {
        Rejected r = new Rejected();
        r.reason = reason.name();
        r.detail = detail == null ? "" : detail;
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        r.key = key;
        r.value = value;
        r.failedAt = failedAt;
        return r;
    }

    /** Returns the Avro record written to the dead-letter topic. */
    public DeadLetter toAvro() {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(detail == null ? "" : detail)
                .setTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedAt(java.time.Instant.ofEpochMilli(failedAt))
                .build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Rejected)) {
            return false;
        }
        Rejected r = (Rejected) o;
        return partition == r.partition && offset == r.offset && failedAt == r.failedAt
                && Objects.equals(reason, r.reason) && Objects.equals(detail, r.detail)
                && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, topic, partition, offset);
    }

    @Override
    public String toString() {
        return "Rejected{" + reason + " " + topic + "-" + partition + "@" + offset + ": " + detail + "}";
    }
}
