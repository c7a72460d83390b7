package io.bulwark.job.validate;

import java.util.Arrays;
import java.util.Objects;

/**
 * A validated input event on its way to its model's training operator: the fields the learner needs, the source
 * position (for snapshot provenance) and the raw bytes (for a dead letter if the trainer rejects its label).
 * A Flink POJO.
 */
public class TrainingEvent {

    /** The model this event trains (the event's modelKey, or the default model id). */
    public String modelId;
    /** Producer-assigned event id. */
    public String id;
    /** Non-empty text. */
    public String text;
    /** The label, or null for an unlabeled event. */
    public String label;
    /** Finite, non-negative weight. */
    public float weight;
    /** Event time, epoch milliseconds. */
    public long eventTime;
    /** Source topic. */
    public String topic;
    /** Source partition. */
    public int partition;
    /** Source offset. */
    public long offset;
    /** The raw key, or null. */
    public byte[] key;
    /** The raw value. */
    public byte[] value;

    /** Creates an empty event (for Flink's POJO serializer). */
    public TrainingEvent() {
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TrainingEvent)) {
            return false;
        }
        TrainingEvent e = (TrainingEvent) o;
        return Float.compare(weight, e.weight) == 0 && eventTime == e.eventTime && partition == e.partition
                && offset == e.offset && Objects.equals(modelId, e.modelId) && Objects.equals(id, e.id)
                && Objects.equals(text, e.text) && Objects.equals(label, e.label) && Objects.equals(topic, e.topic)
                && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, id, topic, partition, offset);
    }

    @Override
    public String toString() {
        return "TrainingEvent{" + modelId + "/" + id + " " + topic + "-" + partition + "@" + offset + ", label="
                + label + "}";
    }
}
