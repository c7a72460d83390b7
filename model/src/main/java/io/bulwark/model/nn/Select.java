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
     * {@code where} directly. The result lives in the manager of {@code condition} (a step's flag lives in the
     * step's manager, so choosing between long-lived arrays creates nothing in theirs).
     */
    public static NDArray where(NDArray condition, NDArray a, NDArray b) {
        NDArray out;
        if (condition instanceof PtNDArray c && a instanceof PtNDArray pa && b instanceof PtNDArray pb) {
            out = JniUtils.where(c, pa, pb);
        } else {
            out = NDArrays.where(condition.broadcast(a.getShape()), a, b);
        }
        out.attach(condition.getManager());
        return out;
    }
}
