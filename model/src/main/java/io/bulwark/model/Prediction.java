package io.bulwark.model;

/**
 * A prediction for one text.
 *
 * @param label the predicted label, or {@code null} if the learner knows no label yet
 * @param labelIndex index of the label in {@link Learner#labels()}, or -1
 * @param probabilities class probabilities in the order of {@link Learner#labels()}
 */
public record Prediction(String label, int labelIndex, float[] probabilities) {}
