package io.bulwark.job.deadletter;

import io.bulwark.avro.DeadLetter;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An input record the job could not use, on its way to the dead-letter topic; a Flink POJO that becomes an Avro
 * {@link DeadLetter} in the sink.
 *
 * <p>A dead letter must fit its topic whatever the record was, or the sink fails and the job restarts on the same
 * record forever: {@link #toAvro()} keeps at most the first {@value #MAX_KEY_BYTES} bytes of the key, the first
 * {@value #MAX_VALUE_BYTES} bytes of the value and {@value #MAX_DETAIL_CHARS} characters of the detail, and marks a
 * cut record {@code truncated} with its original sizes. A dead letter is then at most about 992 KiB (detail in
 * UTF-8 included), under the 1 MiB that brokers and producers accept by default.
 */
public class Rejected {

    /** Most bytes of the original key a dead letter keeps. */
    public static final int MAX_KEY_BYTES = 16 * 1024;
    /** Most bytes of the original value a dead letter keeps. */
    public static final int MAX_VALUE_BYTES = 960 * 1024;
    /** Most characters of the detail a dead letter keeps. */
    public static final int MAX_DETAIL_CHARS = 4096;

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

    /** Returns the Avro record written to the dead-letter topic, key, value and detail cut to their limits. */
    public DeadLetter toAvro() {
        boolean keyCut = key != null && key.length > MAX_KEY_BYTES;
        boolean valueCut = value != null && value.length > MAX_VALUE_BYTES;
        String d = detail == null ? "" : detail;
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(d.length() > MAX_DETAIL_CHARS ? d.substring(0, MAX_DETAIL_CHARS) + "..." : d)
                .setTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(keyCut ? Arrays.copyOf(key, MAX_KEY_BYTES) : key))
                .setValue(value == null ? null
                        : ByteBuffer.wrap(valueCut ? Arrays.copyOf(value, MAX_VALUE_BYTES) : value))
                .setFailedAt(java.time.Instant.ofEpochMilli(failedAt))
                .setTruncated(keyCut || valueCut)
                .setOriginalKeySize(keyCut ? key.length : null)
                .setOriginalValueSize(valueCut ? value.length : null)
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
