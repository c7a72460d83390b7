package io.bulwark.job.train;

import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.LearnerConfig;

import java.util.List;

/**
 * Which labels a model accepts. With a declared (fixed) label set, exactly those; anything else is refused. Without
 * one, labels are learned from the stream, up to {@code maxLabels} (counting the new labels of the pending batch),
 * and a new label becomes a class only once {@code minCount} of its training events have arrived: until then they
 * are held back in the model's state ({@link ModelSlot#heldBack}) and released into the pending batch, in arrival
 * order, when the label qualifies. So a typo in one event's label never becomes a permanent class. At most
 * {@code maxLabels} candidate labels are held back at once, which bounds the held-back events by
 * {@code maxLabels * (minCount - 1)}.
 */
final class LabelAdmission {

    /** What happens to an event with a label. */
    enum Decision {
        /** Its label is (or now becomes) a class: train it (after any events released with it) or hold it out. */
        ACCEPT,
        /** Its label is a candidate seen fewer than the minimum count: keep it back. */
        HOLD_BACK,
        /** Dead-letter it. */
        REJECT
    }

    private final LearnerConfig config;
    private final int minCount;

    LabelAdmission(LearnerConfig config, int minCount) {
        this.config = config;
        this.minCount = minCount;
    }

    /** Decides on a training event ({@code training}) or a held-out one with {@code label}; a new class is reserved. */
    Decision decide(ModelSlot slot, String label, boolean training) {
        List<String> fixed = config.labels();
        if (!fixed.isEmpty()) {
            return fixed.contains(label) ? Decision.ACCEPT : Decision.REJECT;
        }
        List<String> known = slot.learner.labels();
        if (known.contains(label) || slot.pendingLabels.contains(label)) {
            return Decision.ACCEPT;
        }
        long reserved = slot.pendingLabels.stream().filter(l -> !known.contains(l)).count();
        if (known.size() + reserved >= config.maxLabels()) {
            return Decision.REJECT;
        }
        if (!training) {
            return Decision.ACCEPT; // held out: evaluated only once the label is a class
        }
        List<TrainingEvent> waiting = slot.heldBack.get(label);
        int seen = (waiting == null ? 0 : waiting.size()) + 1;
        if (seen < minCount) {
            if (waiting == null && slot.heldBack.size() >= config.maxLabels()) {
                return Decision.REJECT;
            }
            return Decision.HOLD_BACK;
        }
        slot.pendingLabels.add(label);
        return Decision.ACCEPT;
    }

    /** The dead-letter detail of an event whose label was refused. */
    String rejection(ModelSlot slot, TrainingEvent e) {
        List<String> fixed = config.labels();
        if (!fixed.isEmpty()) {
            return "event " + e.id + " of model '" + slot.modelId + "' has label '" + e.label
                    + "', not in the fixed label set " + fixed;
        }
        List<String> known = slot.learner.labels();
        long reserved = slot.pendingLabels.stream().filter(l -> !known.contains(l)).count();
        if (known.size() + reserved < config.maxLabels()) {
            return "event " + e.id + " of model '" + slot.modelId + "' has new label '" + e.label + "' while "
                    + slot.heldBack.size() + " other new labels wait for " + minCount + " events "
                    + slot.heldBack.keySet();
        }
        return "event " + e.id + " of model '" + slot.modelId + "' has new label '" + e.label
                + "' but the model already has the maximum of " + config.maxLabels() + " labels "
                + slot.learner.labels();
    }

    /** The dead-letter detail of a held-back event whose label never reached the minimum count. */
    String neverQualified(ModelSlot slot, TrainingEvent e, int seen) {
        return "event " + e.id + " of model '" + slot.modelId + "' has new label '" + e.label + "', seen " + seen
                + " time(s) by the end of the input, fewer than labels.min-count=" + minCount;
    }
}
