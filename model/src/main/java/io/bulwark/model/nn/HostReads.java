package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Device-to-host reads of array values, counted per thread.
 *
 * <p>On a GPU every read waits for all queued work of the device, so a training step should read once, at its end.
 * The learner's own code reads array values only through this class (training, evaluation, attacks); reads made
 * elsewhere (a {@code StepListener} copying arrays, {@code toFloatArray()} in tests, checkpoints) are not counted.
 * The count is per thread because a learner is used from one thread at a time.
 */
public final class HostReads {

    private static final ThreadLocal<long[]> COUNT = ThreadLocal.withInitial(() -> new long[1]);

    private HostReads() {}

    /** The values of {@code a} as floats: one read. */
    public static float[] floats(NDArray a) {
        COUNT.get()[0]++;
        return a.toFloatArray();
    }

    /** The value of a one-element array: one read. */
    public static float scalar(NDArray a) {
        return floats(a)[0];
    }

    /**
     * The values of all {@code arrays} (any shapes and numeric or boolean types; nulls are skipped), flattened and
     * concatenated in order as floats: one read for all of them.
     */
    public static float[] all(NDArray... arrays) {
        NDList parts = new NDList();
        for (NDArray a : arrays) {
            if (a != null) {
                NDArray flat = a.reshape(-1);
                parts.add(flat.getDataType() == DataType.FLOAT32 ? flat : flat.toType(DataType.FLOAT32, false));
            }
        }
        if (parts.isEmpty()) {
            return new float[0];
        }
        return floats(parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts));
    }

    /** Reads counted on the calling thread so far. */
    public static long count() {
        return COUNT.get()[0];
    }
}
