package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Outcome of one forward/backward pass.
 *
 * @param loss the scalar loss value
 * @param deltaGradient gradient of the loss with respect to delta (attached to the step), or null
 */
public record PassResult(float loss, NDArray deltaGradient) {}
