package io.bulwark.model.regularizer;

import ai.djl.ndarray.NDArray;

/** A term added to the training loss of every update, composable with any training strategy. */
public interface Regularizer {

    /** Runs before the gradient pass(es) of each update, outside any gradient collector (e.g. an ascent search). */
    default void prepare(RegularizerContext ctx) {}

    /** The scalar term added to the loss, computed inside the pass's gradient collector. */
    NDArray term(RegularizerContext ctx);

    /**
     * Runs after each parameter update. The update may have been skipped on the device; then
     * {@link RegularizerContext#updateApplied()} is false and this must change nothing either.
     */
    default void afterUpdate(RegularizerContext ctx) {}
}
