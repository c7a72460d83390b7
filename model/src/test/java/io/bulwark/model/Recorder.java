package io.bulwark.model;

import ai.djl.ndarray.NDArray;
import io.bulwark.model.strategy.StepListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link StepListener} that copies what it sees, for assertions. */
public class Recorder implements StepListener {

    /** A copied array. */
    public record Copy(long[] shape, float[] data) {}

    public final List<Copy> passStartDeltas = new ArrayList<>();
    public final List<Copy> updatedDeltas = new ArrayList<>();
    public final List<Map<String, Copy>> masksByPass = new ArrayList<>();
    public final List<Map<String, float[]>> passGradients = new ArrayList<>();
    public final List<Map<String, float[]>> updateGradients = new ArrayList<>();
    public boolean recordPassGradients;
    public boolean isolate;

    public static Copy copy(NDArray a) {
        return new Copy(a.getShape().getShape(), a.toFloatArray());
    }

    private static Map<String, float[]> copyAll(Map<String, NDArray> grads) {
        Map<String, float[]> out = new LinkedHashMap<>();
        grads.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    public void clear() {
        passStartDeltas.clear();
        updatedDeltas.clear();
        masksByPass.clear();
        passGradients.clear();
        updateGradients.clear();
    }

    @Override
    public void onPassStart(int pass, NDArray delta) {
        if (delta != null) {
            passStartDeltas.add(copy(delta));
        }
    }

    @Override
    public void onDeltaUpdated(int pass, NDArray delta) {
        updatedDeltas.add(copy(delta));
    }

    @Override
    public void onDropoutMask(int pass, String site, NDArray mask) {
        while (masksByPass.size() <= pass) {
            masksByPass.add(new LinkedHashMap<>());
        }
        masksByPass.get(pass).put(site, copy(mask));
    }

    @Override
    public boolean wantsPassGradients() {
        return recordPassGradients;
    }

    @Override
    public void afterBackward(int pass, Map<String, NDArray> gradients) {
        passGradients.add(copyAll(gradients));
    }

    @Override
    public boolean isolatePassGradients() {
        return isolate;
    }

    @Override
    public void beforeUpdate(int update, Map<String, NDArray> gradients) {
        updateGradients.add(copyAll(gradients));
    }
}
