package io.bulwark.model.regularizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.SeededRandom;
import java.util.function.Function;

/** What a {@link Regularizer} sees of the training step it takes part in. */
public interface RegularizerContext {

    /** Logits of network {@code p} at x + delta (delta may be null), with the step's dropout when {@code train}. */
    NDArray logits(Parameters p, NDArray delta, boolean train);

    /** The student's clean logits of the current pass (part of its graph). */
    NDArray studentCleanLogits();

    /**
     * One forward/backward pass of {@code loss} at x + delta, collecting delta's gradient and/or the parameter
     * gradients as asked.
     */
    PassResult pass(NDArray delta, boolean deltaGradient, boolean paramGradients, boolean zeroParamGradients,
                    Function<NDArray, NDArray> loss);

    /** The student's parameters. */
    Parameters params();

    /** The batch. */
    BatchInputs inputs();

    /** The step's random source. */
    SeededRandom rng();

    /** The step's manager; arrays made for the step are attached to it. */
    NDManager manager();

    /** The perturbation radius of this step (after the radius ramp). */
    double epsilon();

    /** The ascent step of this step (after the radius ramp). */
    double alpha();

    /**
     * Whether the last update was applied, as a 0-d boolean array on the device (false when it was skipped for a
     * non-finite loss or gradient), or null when every update is applied.
     */
    default NDArray updateApplied() {
        return null;
    }
}
