package io.bulwark.model;

/**
 * Clean and robust accuracy of a learner on labeled examples.
 *
 * @param examples labeled examples evaluated
 * @param cleanAccuracy accuracy on the unperturbed inputs
 * @param robustAccuracy accuracy under the attack (correct on the clean input and under every restart); NaN without attack
 * @param loss mean cross-entropy on the clean inputs over examples whose label is known
 * @param attack name of the attack, or "none"
 * @param adversarialLoss mean over the same examples of the largest cross-entropy the attack reached over its restarts;
 *     NaN without attack
 */
public record Evaluation(int examples, double cleanAccuracy, double robustAccuracy, double loss, String attack,
                         double adversarialLoss) {

    /** An evaluation without the adversarial loss. */
    public Evaluation(int examples, double cleanAccuracy, double robustAccuracy, double loss, String attack) {
        this(examples, cleanAccuracy, robustAccuracy, loss, attack, Double.NaN);
    }
}
