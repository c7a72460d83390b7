package io.bulwark.model;

import java.util.Objects;

/**
 * One training or evaluation example.
 *
 * @param text the raw text (never null; may be empty)
 * @param label the class label, or {@code null} for an unlabeled example (used only by the VAT/ALUM smoothness term)
 * @param weight a finite, non-negative weight of the example in the task loss
 */
public record Example(String text, String label, float weight) {

    /** Validates the fields. */
    public Example {
        Objects.requireNonNull(text, "text must not be null");
        if (!Float.isFinite(weight) || weight < 0f) {
            throw new IllegalArgumentException("Example weight must be finite and >= 0, got " + weight);
        }
    }

    /** An example with weight 1. */
    public static Example of(String text, String label) {
        return new Example(text, label, 1f);
    }

    /** An unlabeled example with weight 1. */
    public static Example unlabeled(String text) {
        return new Example(text, null, 1f);
    }

    /** Whether the example carries a label. */
    public boolean isLabeled() {
        return label != null;
    }
}
