package io.bulwark.job.train;

import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.LearnerConfig;

import java.util.List;

/**
 * Which labels a model accepts: the fixed label set when the configuration has one; otherwise labels are learned
 * as they arrive, up to {@code maxLabels}, counting the new labels of the pending batch against the cap.
 */
final class LabelAdmission {

    private final LearnerConfig config;

    LabelAdmission(LearnerConfig config) {
        this.config = config;
    }

    /** Whether the slot's model accepts {@code label}; with {@code reserve}, a new label is held for the batch. */
    boolean accepts(ModelSlot slot, String label, boolean reserve) {
        List<String> fixed = config.labels();
        if (!fixed.isEmpty()) {
            return fixed.contains(label);
        }
        List<String> known = slot.learner.labels();
        if (known.contains(label) || slot.pendingLabels.contains(label)) {
            return true;
        }
        long reserved = slot.pendingLabels.stream().filter(l -> !known.contains(l)).count();
        if (known.size() + reserved >= config.maxLabels()) {
            return false;
        }
        if (reserve) {
            slot.pendingLabels.add(label);
        }
        return true;
    }

    /** The dead-letter detail of an event whose label was refused. */
    String rejection(ModelSlot slot, TrainingEvent e) {
        List<String> fixed = config.labels();
        if (!fixed.isEmpty()) {
            return "event " + e.id + " of model '" + slot.modelId + "' has label '" + e.label
                    + "', not in the fixed label set " + fixed;
        }
        return "event " + e.id + " of model '" + slot.modelId + "' has new label '" + e.label
                + "' but the model already has the maximum of " + config.maxLabels() + " labels "
                + slot.learner.labels();
    }
}
