package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Observes the inside of training steps, for diagnostics and tests of the algorithms' defining properties.
 *
 * <p>Arrays passed to callbacks are valid only during the call; copy what you keep ({@code toFloatArray()}).
 * Pass numbers count every forward/backward pass of the step, from 0.
 */
public interface StepListener {

    /** A listener that observes nothing. */
    StepListener NONE = new StepListener() {};

    /** A gradient pass starts with {@code delta} (the raw perturbation before masking; null for clean passes). */
    default void onPassStart(int pass, NDArray delta) {}

    /**
     * The strategy produced a new perturbation after {@code pass} (the previous one again when the gradient of delta
     * was not finite: that decision is taken on the device).
     */
    default void onDeltaUpdated(int pass, NDArray delta) {}

    /** A dropout mask of {@code site} was applied during {@code pass}. */
    default void onDropoutMask(int pass, String site, NDArray mask) {}

    /** Called with the parameter gradients after each backward pass when {@link #wantsPassGradients()} is true. */
    default void afterBackward(int pass, Map<String, NDArray> gradients) {}

    /** Whether {@link #afterBackward} should be called. */
    default boolean wantsPassGradients() {
        return false;
    }

    /**
     * Diagnostic mode for FreeLB: zero parameter gradients before every ascent pass instead of accumulating them, so
     * {@link #afterBackward} sees each pass's own gradient. Updates in this mode use only the last pass's gradient.
     */
    default boolean isolatePassGradients() {
        return false;
    }

    /** Gradients about to be applied by update number {@code update} of the step (after averaging, before clipping). */
    default void beforeUpdate(int update, Map<String, NDArray> gradients) {}

    /** May replace the loss of a gradient pass (e.g. to inject a non-finite value). */
    default NDArray adjustLoss(int pass, NDArray loss) {
        return loss;
    }
}
