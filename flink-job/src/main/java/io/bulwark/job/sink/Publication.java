package io.bulwark.job.sink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record the training operator publishes (snapshot, latest snapshot, report), already encoded in the schema
 * registry's wire format by the operator, with its target topic and key. A Flink POJO.
 *
 * <p>Encoding happens in the operator so that Flink never has to serialize Avro objects between operators; only
 * these bytes travel to the sink.
 */
public class Publication {

    /** The kind of record, for logs and metrics. */
    public enum Kind {
        /** A ModelSnapshot on the versions topic. */
        SNAPSHOT,
        /** The same ModelSnapshot on the compacted latest topic. */
        LATEST,
        /** A RobustnessReport. */
        REPORT
    }

    /** What this record is. */
    public Kind kind;
    /** Target topic. */
    public String topic;
    /** Record key (the model id, UTF-8). */
    public byte[] key;
    /** Record value in the registry wire format. */
    public byte[] value;
    /** Record timestamp, epoch milliseconds. */
    public long timestamp;

    /** Creates an empty instance (for Flink's POJO serializer). */
    public Publication() {
    }

    /** Creates a publication. */
    public static Publication of(Kind kind, String topic, byte[] key, byte[] value, long timestamp) {
        Publication p = new Publication();
        p.kind = kind;
        p.topic = topic;
        p.key = key;
        p.value = value;
        p.timestamp = timestamp;
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Publication)) {
            return false;
        }
        Publication p = (Publication) o;
        return timestamp == p.timestamp && kind == p.kind && Objects.equals(topic, p.topic)
                && Arrays.equals(key, p.key) && Arrays.equals(value, p.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, topic, timestamp);
    }

    @Override
    public String toString() {
        return "Publication{" + kind + " -> " + topic + ", " + (value == null ? 0 : value.length) + " bytes}";
    }
}
