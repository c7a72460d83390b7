package io.bulwark.model.snapshot;

/**
 * One named float32 tensor as Java data.
 *
 * @param shape dimensions
 * @param data values in row-major order
 */
public record TensorData(long[] shape, float[] data) {}
