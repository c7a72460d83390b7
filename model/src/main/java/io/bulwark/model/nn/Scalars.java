package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands for arithmetic that autograd records.
 *
 * <p>DJL's PyTorch {@code x.mul(Number)} (also {@code div}, {@code pow}, {@code maximum}) wraps the number in a
 * temporary array backed by a Java direct buffer and closes it right after the op. Autograd still holds that tensor
 * for the backward pass of a product or quotient; once the buffer is garbage-collected the backward pass reads freed
 * memory, giving wrong or NaN gradients that depend on GC timing. Inside a gradient collector, scale by an array
 * that lives in the step's manager instead: it stays alive until the step (and its graph) is closed.
 */
public final class Scalars {

    private Scalars() {}

    /** A 0-d float array holding {@code value} in the manager of {@code like}. */
    public static NDArray of(NDArray like, float value) {
        return like.getManager().create(value);
    }

    /** {@code x * value}, safe to differentiate. */
    public static NDArray mul(NDArray x, float value) {
        return x.mul(of(x, value));
    }

    /** {@code x / value}, safe to differentiate. */
    public static NDArray div(NDArray x, float value) {
        return x.div(of(x, value));
    }
}
