package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Records a forward computation and back-propagates it, with autograd's grad mode switched on the calling thread only.
 *
 * <p>DJL's {@code PtGradientCollector} does the same (grad mode on, native backward with a ones seed, grad mode
 * restored when it is closed) but also sets a JVM-wide flag that allows one open collector at a time, so two
 * learners on two threads could not train at once. Grad mode is per native thread in libtorch and each learner owns
 * its arrays, so this helper drops the flag and keeps the rest: like the collector it neither zeroes gradients (they
 * accumulate; callers zero them) nor keeps the graph after the backward pass.
 */
public final class Autograd {

    private Autograd() {}

    /**
     * Runs {@code forward} with grad mode on, back-propagates the array it returns (seeded with ones of its shape)
     * and restores the thread's previous grad mode.
     *
     * @return the array {@code forward} returned
     */
    public static NDArray backward(Supplier<NDArray> forward) {
        NDArray target;
        boolean wasOn = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            target = forward.get();
            if (!(target instanceof PtNDArray pt)) {
                throw new IllegalStateException("Autograd needs PyTorch arrays, got " + target.getClass().getName());
            }
            NDArray seed = target.getManager().ones(target.getShape(), target.getDataType())
                    .toDevice(target.getDevice(), false);
            JniUtils.backward(pt, (PtNDArray) seed, false, false);
        } finally {
            if (!wasOn) {
                JniUtils.setGradMode(false);
            }
        }
        return target;
    }
}
