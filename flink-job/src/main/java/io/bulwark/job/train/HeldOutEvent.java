package io.bulwark.job.train;

import java.util.Objects;

/** A labeled event kept for evaluation and never trained on. A Flink POJO. */
public class HeldOutEvent {

    /** The text. */
    public String text;
    /** The label (never null: only labeled events are held out). */
    public String label;
    /** The weight. */
    public float weight;
    /** Event time, epoch milliseconds. */
    public long eventTime;

    /** Creates an empty instance (for Flink's POJO serializer). */
    public HeldOutEvent() {
    }

    /** Creates a held-out event. */
    public static HeldOutEvent of(String text, String label, float weight, long eventTime) {
        HeldOutEvent e = new HeldOutEvent();
        e.text = text;
        e.label = label;
        e.weight = weight;
        e.eventTime = eventTime;
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HeldOutEvent)) {
            return false;
        }
        HeldOutEvent e = (HeldOutEvent) o;
        return Float.compare(weight, e.weight) == 0 && eventTime == e.eventTime && Objects.equals(text, e.text)
                && Objects.equals(label, e.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, label, eventTime);
    }
}
