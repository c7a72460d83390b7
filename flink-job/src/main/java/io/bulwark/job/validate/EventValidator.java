package io.bulwark.job.validate;

import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.DeadLetterCounters;
import io.bulwark.job.source.InboundRecord;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Checks each input record and sends what cannot be trained on to the dead-letter side output: records that did
 * not decode (reason from the deserializer), a missing or empty text, a text over the length cap, a NaN, infinite
 * or negative weight. Good records become {@link TrainingEvent}s keyed by model id.
 */
public final class EventValidator extends ProcessFunction<InboundRecord, TrainingEvent> {

    private static final long serialVersionUID = 1L;

    /** Side output of rejected records. */
    public static final OutputTag<Rejected> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private final String defaultModelId;
    private final int maxTextLength;

    private transient DeadLetterCounters deadLetters;
    private transient Counter eventsIn;

    /** Creates a validator; events without a model key go to {@code defaultModelId}. */
    public EventValidator(String defaultModelId, int maxTextLength) {
        if (defaultModelId == null || defaultModelId.isBlank()) {
            throw new IllegalArgumentException("You must specify a default model id");
        }
        if (maxTextLength <= 0) {
            throw new IllegalArgumentException("Max text length must be > 0, got " + maxTextLength);
        }
        this.defaultModelId = defaultModelId;
        this.maxTextLength = maxTextLength;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(BulwarkMetrics.GROUP);
        deadLetters = new DeadLetterCounters(group);
        eventsIn = group.counter(BulwarkMetrics.EVENTS_IN);
    }

    @Override
    public void processElement(InboundRecord in, Context ctx, Collector<TrainingEvent> out) {
        eventsIn.inc();
        if (!in.isDecoded()) {
            reject(ctx, in, DeadLetterReason.valueOf(in.failureReason), in.failureDetail);
            return;
        }
        DeadLetterReason problem = problem(in.text, in.weight, maxTextLength);
        if (problem != null) {
            reject(ctx, in, problem, detail(problem, in.id, in.text, in.weight, maxTextLength));
            return;
        }
        float weight = in.weight == null ? 1f : in.weight;
        TrainingEvent e = new TrainingEvent();
        e.modelId = in.modelKey == null || in.modelKey.isBlank() ? defaultModelId : in.modelKey;
        e.id = in.id;
        e.text = in.text;
        e.label = in.label == null || in.label.isEmpty() ? null : in.label;
        e.weight = weight;
        e.eventTime = in.eventTime;
        e.topic = in.topic;
        e.partition = in.partition;
        e.offset = in.offset;
        e.key = in.key;
        e.value = in.value;
        out.collect(e);
    }

    /** Returns what makes a decoded event unusable for training, or null when it is fine. */
    public static DeadLetterReason problem(String text, Float weight, int maxTextLength) {
        if (text == null) {
            return DeadLetterReason.MISSING_TEXT;
        }
        if (text.isBlank()) {
            return DeadLetterReason.EMPTY_TEXT;
        }
        if (text.length() > maxTextLength) {
            return DeadLetterReason.TEXT_TOO_LONG;
        }
        if (weight != null && (!Float.isFinite(weight) || weight < 0f)) {
            return DeadLetterReason.BAD_WEIGHT;
        }
        return null;
    }

    private static String detail(DeadLetterReason problem, String id, String text, Float weight, int maxTextLength) {
        switch (problem) {
            case MISSING_TEXT:
                return "event " + id + " has no text";
            case EMPTY_TEXT:
                return "event " + id + " has an empty text";
            case TEXT_TOO_LONG:
                return "event " + id + " has a text of " + text.length() + " chars, over the limit of "
                        + maxTextLength + " (text.max-length)";
            case BAD_WEIGHT:
            default:
                return "event " + id + " has weight " + weight + "; weights must be finite and >= 0";
        }
    }

    private void reject(Context ctx, InboundRecord in, DeadLetterReason reason, String detail) {
        deadLetters.inc(reason);
        ctx.output(DEAD_LETTERS, Rejected.of(reason, detail, in.topic, in.partition, in.offset, in.key, in.value,
                ctx.timerService().currentProcessingTime()));
    }
}
