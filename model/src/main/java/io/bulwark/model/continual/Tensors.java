package io.bulwark.model.continual;

import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.snapshot.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Conversions between the continual parts' float arrays and named tensors of the parameter format. */
final class Tensors {
    private Tensors() {}

    /** Rows of equal {@code width} as a [rows, width] tensor. */
    static TensorData matrix(List<float[]> rows, int width) {
        float[] data = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, data, r * width, width);
        }
        return new TensorData(new long[] {rows.size(), width}, data);
    }

    /** A vector as a [length] tensor. */
    static TensorData vector(float[] v) {
        return new TensorData(new long[] {v.length}, v.clone());
    }

    /**
     * The rows of the [rows, width] tensor {@code name}.
     *
     * @throws SnapshotFormatException if it is missing or has another shape
     */
    static List<float[]> rows(Map<String, TensorData> in, String name, int width) {
        TensorData t = require(in, name);
        if (t.shape().length != 2 || t.shape()[1] != width) {
            throw new SnapshotFormatException("Tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the configuration expects [*, " + width + "]");
        }
        List<float[]> out = new ArrayList<>();
        for (int r = 0; r < t.shape()[0]; r++) {
            out.add(Arrays.copyOfRange(t.data(), r * width, (r + 1) * width));
        }
        return out;
    }

    /** The vector {@code name} of the expected {@code length}. */
    static float[] vector(Map<String, TensorData> in, String name, int length) {
        TensorData t = require(in, name);
        if (t.shape().length != 1 || t.shape()[0] != length) {
            throw new SnapshotFormatException("Tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the configuration expects [" + length + "]");
        }
        return t.data().clone();
    }

    private static TensorData require(Map<String, TensorData> in, String name) {
        TensorData t = in.get(name);
        if (t == null) {
            throw new SnapshotFormatException("The payload has no tensor '" + name + "' but the configuration"
                    + " has the continual parts on");
        }
        return t;
    }
}
