package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Outcome of one forward/backward pass; both arrays stay on the device.
 *
 * @param lossArray the scalar loss (0-d, in the step's manager)
 * @param deltaGradient gradient of the loss with respect to delta (attached to the step), or null
 */
public record PassResult(NDArray lossArray, NDArray deltaGradient) {

    /** The loss value, read from the device: one host read (the training strategies never call it). */
    public float loss() {
        return HostReads.scalar(lossArray);
    }
}
