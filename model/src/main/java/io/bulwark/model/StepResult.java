package io.bulwark.model;

/**
 * Result of one {@link Learner#train} call.
 *
 * @param examples examples in the batch
 * @param labeled labeled examples in the batch
 * @param correctBeforeUpdate prequential score: labeled examples predicted right before training on this batch
 * @param loss mean total loss over the gradient passes that led to updates (NaN if an update was skipped)
 * @param skipped true if a NaN/Inf loss or gradient skipped one or more updates
 * @param passes forward/backward passes done
 * @param updates parameter updates applied
 * @param deltaNorm mean per-example norm of delta after the step (0 for natural training)
 * @param teacherDriftKl symmetric KL between student and EMA teacher on this batch (0 when Bregman is off)
 */
public record StepResult(
        int examples,
        int labeled,
        int correctBeforeUpdate,
        double loss,
        boolean skipped,
        int passes,
        int updates,
        double deltaNorm,
        double teacherDriftKl) {

    /** The result of a batch with nothing to train on. */
    public static StepResult empty(int examples, int labeled) {
        return new StepResult(examples, labeled, 0, 0.0, false, 0, 0, 0.0, 0.0);
    }

    /** Combines the results of consecutive chunks of one batch (sums counts, averages the rest by examples). */
    public StepResult merge(StepResult other) {
        int n = examples + other.examples;
        double wa = n == 0 ? 0.5 : (double) examples / n;
        double wb = 1.0 - wa;
        return new StepResult(
                n,
                labeled + other.labeled,
                correctBeforeUpdate + other.correctBeforeUpdate,
                loss * wa + other.loss * wb,
                skipped || other.skipped,
                passes + other.passes,
                updates + other.updates,
                deltaNorm * wa + other.deltaNorm * wb,
                teacherDriftKl * wa + other.teacherDriftKl * wb);
    }
}
