package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Element-wise choice on the device, the tool for decisions that must not read a flag to the host. */
public final class Select {

    private Select() {}

    /**
     * {@code a} where {@code condition} is true, else {@code b}, with broadcasting (a 0-d condition chooses between
     * whole arrays). DJL's {@code NDArrays.where} insists on equal shapes, so PyTorch arrays go to libtorch's
     * {@code where} directly. The result lives in the manager of {@code a}.
     */
    public static NDArray where(NDArray condition, NDArray a, NDArray b) {
        if (condition instanceof PtNDArray c && a instanceof PtNDArray pa && b instanceof PtNDArray pb) {
            return JniUtils.where(c, pa, pb);
        }
        return NDArrays.where(condition.broadcast(a.getShape()), a, b);
    }
}
