package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named, ordered set of parameter tensors of one network (the student, the EMA teacher, or optimizer moments).
 *
 * <p>Parameters are plain NDArrays owned by a long-lived manager; networks use them in a functional forward pass.
 * Gradient collection is switched per pass with {@link #setRequiresGradient(boolean)}.
 */
public final class Parameters {

    private final Map<String, NDArray> arrays;
    private final boolean batchLocalEmbedding;
    private boolean requiresGradient;

    /** Wraps arrays in the given order. */
    public Parameters(Map<String, NDArray> arrays) {
        this(arrays, false);
    }

    private Parameters(Map<String, NDArray> arrays, boolean batchLocalEmbedding) {
        this.arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
        this.batchLocalEmbedding = batchLocalEmbedding;
    }

    /**
     * A view of these parameters for one batch: the same arrays, except that the embedding table is replaced by
     * {@code localTable}, the rows of {@link BatchInputs#localRowArray()} only. A forward pass over the view looks
     * words up by their local indices, and its embedding gradient is [R + 1, D] instead of the whole table, so a
     * backward pass costs in proportion to the batch, not to the number of hash buckets.
     */
    public Parameters withBatchLocalEmbedding(NDArray localTable) {
        Map<String, NDArray> out = new LinkedHashMap<>(arrays);
        out.put(Network.EMBEDDING, localTable);
        return new Parameters(out, true);
    }

    /** Whether the embedding is a batch-local table (see {@link #withBatchLocalEmbedding}). */
    public boolean hasBatchLocalEmbedding() {
        return batchLocalEmbedding;
    }

    /** The array named {@code name}. */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("No parameter named '" + name + "'; have " + arrays.keySet());
        }
        return a;
    }

    /** Parameter names in order. */
    public Set<String> names() {
        return arrays.keySet();
    }

    /** Name to array, in order. */
    public Map<String, NDArray> asMap() {
        return arrays;
    }

    /** The arrays in order. */
    public Collection<NDArray> values() {
        return arrays.values();
    }

    /** Total number of scalars. */
    public long size() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.size();
        }
        return n;
    }

    /** Deep copy into {@code manager}, without gradients. */
    public Parameters copy(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray c = e.getValue().duplicate();
            c.attach(manager);
            out.put(e.getKey(), c);
        }
        return new Parameters(out);
    }

    /** Zero-filled arrays of the same names and shapes in {@code manager}. */
    public Parameters zerosLike(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            out.put(e.getKey(), manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
        return new Parameters(out);
    }

    /**
     * Switches gradient collection for all arrays. Always applied to every array: a batch-local view shares all
     * but one array with the full parameters, so a cached state could be stale.
     */
    public void setRequiresGradient(boolean on) {
        for (NDArray a : arrays.values()) {
            a.setRequiresGradient(on);
        }
        requiresGradient = on;
    }

    /** Whether gradients are collected (as last set through this object). */
    public boolean requiresGradient() {
        return requiresGradient;
    }

    /**
     * Sets every accumulated gradient to exactly zero (also clearing NaN/Inf, which {@code g - g} would keep). DJL's
     * PyTorch gradient collector never zeroes gradients itself.
     */
    public void zeroGradients() {
        if (!requiresGradient()) {
            return;
        }
        for (NDArray a : arrays.values()) {
            zeroGradient(a);
        }
    }

    /** Zeroes the gradient of one array. */
    public static void zeroGradient(NDArray a) {
        if (a instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            NDArray g = a.getGradient();
            g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
            g.close();
        }
    }

    /** The current gradients, each handle attached to {@code step} so it is released when the step ends. */
    public Map<String, NDArray> gradients(NDManager step) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(step);
            out.put(e.getKey(), g);
        }
        return out;
    }

    /** Copies the values of {@code source} (same names and shapes) into these arrays in place. */
    public void copyFrom(Parameters source) {
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray src = source.get(e.getKey());
            e.getValue().set(src.toFloatArray());
        }
    }

    /** Values as Java arrays, for comparison and persistence. */
    public Map<String, float[]> toFloatArrays() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        return out;
    }

    /** Shapes by name. */
    public Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.getShape()));
        return out;
    }

    /** Closes all arrays. */
    public void close() {
        for (NDArray a : List.copyOf(arrays.values())) {
            a.close();
        }
    }
}
