package io.bulwark.model;

/**
 * Clean and robust accuracy of a learner on labeled examples.
 *
 * @param examples labeled examples evaluated
 * @param cleanAccuracy accuracy on the unperturbed inputs
 * @param robustAccuracy accuracy under the attack (correct on the clean input and under every restart); NaN without attack
 * @param loss mean cross-entropy on the clean inputs over examples whose label is known
 * @param attack name of the attack, or "none"
 */
public record Evaluation(int examples, double cleanAccuracy, double robustAccuracy, double loss, String attack) {}
