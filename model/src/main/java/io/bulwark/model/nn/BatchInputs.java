package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.encoding.EncodedBatch;

/** An {@link EncodedBatch} as NDArrays in a step's manager, with the masks the network needs. */
public final class BatchInputs {

    private final NDManager manager;
    private final int size;
    private final int length;
    private final NDArray tokens;
    private final NDArray ngrams;
    private final NDArray ngramMask;
    private final NDArray tokenScale;
    private final NDArray mask;
    private final NDArray mask3;
    private final NDArray lengths;
    private final float[] maskValues;
    private final int[] lengthValues;
    private final long[] rows;
    private NDArray attentionBias;
    private NDArray rowArray;

    /** Uploads {@code batch} into {@code manager}. */
    public BatchInputs(EncodedBatch batch, NDManager manager) {
        this.manager = manager;
        this.size = batch.size();
        this.length = batch.length();
        this.maskValues = batch.mask();
        this.lengthValues = batch.lengths();
        this.rows = uniqueNonZero(batch.tokens(), batch.ngrams());
        Shape bl = new Shape(size, length);
        this.tokens = manager.create(batch.tokens(), bl);
        this.mask = manager.create(batch.mask(), bl);
        this.mask3 = mask.expandDims(2);
        float[] len = new float[size];
        for (int i = 0; i < size; i++) {
            len[i] = Math.max(1, batch.lengths()[i]);
        }
        this.lengths = manager.create(len, new Shape(size, 1));
        if (batch.ngrams() != null) {
            int g = batch.ngramsPerToken();
            long[] ng = batch.ngrams();
            float[] ngMask = new float[ng.length];
            float[] scale = new float[size * length];
            for (int t = 0; t < size * length; t++) {
                int count = 0;
                for (int k = 0; k < g; k++) {
                    if (ng[t * g + k] != 0) {
                        ngMask[t * g + k] = 1f;
                        count++;
                    }
                }
                // A word's vector is the sum of its word embedding and its n-gram embeddings divided by
                // sqrt(1 + count): at initialisation (independent rows) it has the same per-coordinate scale as a
                // single embedding whatever the word's length, so epsilon means the same for every token. Padding: 0.
                scale[t] = (float) (batch.mask()[t] / Math.sqrt(1.0 + count));
            }
            this.ngrams = manager.create(ng, new Shape(size, length, g));
            this.ngramMask = manager.create(ngMask, new Shape(size, length, g, 1));
            this.tokenScale = manager.create(scale, new Shape(size, length, 1));
        } else {
            this.ngrams = null;
            this.ngramMask = null;
            this.tokenScale = mask3;
        }
    }

    /** The step's manager. */
    public NDManager manager() { return manager; }

    /** Batch size B. */
    public int size() { return size; }

    /** Padded length L. */
    public int length() { return length; }

    /** Word buckets [B, L] (int64). */
    public NDArray tokens() { return tokens; }

    /** N-gram buckets [B, L, G] (int64), or null. */
    public NDArray ngrams() { return ngrams; }

    /** 1 for a real n-gram, [B, L, G, 1]; null without n-grams. */
    public NDArray ngramMask() { return ngramMask; }

    /** Per-token scale: mask / sqrt(1 + n-gram count), [B, L, 1]. */
    public NDArray tokenScale() { return tokenScale; }

    /** Token mask [B, L]. */
    public NDArray mask() { return mask; }

    /** Token mask [B, L, 1]. */
    public NDArray mask3() { return mask3; }

    /** Real token counts (at least 1), [B, 1]. */
    public NDArray lengths() { return lengths; }

    /** Additive key-padding bias for attention scores, [B, 1, 1, L]: 0 for real keys, -1e9 for padding. */
    public NDArray attentionBias() {
        if (attentionBias == null) {
            attentionBias = mask.sub(1f).mul(1e9f).reshape(size, 1, 1, length);
        }
        return attentionBias;
    }

    private static long[] uniqueNonZero(long[] a, long[] b) {
        long[] all = new long[a.length + (b == null ? 0 : b.length)];
        System.arraycopy(a, 0, all, 0, a.length);
        if (b != null) {
            System.arraycopy(b, 0, all, a.length, b.length);
        }
        java.util.Arrays.sort(all);
        int n = 0;
        for (long v : all) {
            if (v != 0 && (n == 0 || all[n - 1] != v)) {
                all[n++] = v;
            }
        }
        return java.util.Arrays.copyOf(all, n);
    }

    /** Sorted distinct embedding rows (buckets) the batch uses, padding excluded. */
    public long[] rows() { return rows; }

    /** {@link #rows()} as an int64 array in the step's manager. */
    public NDArray rowArray() {
        if (rowArray == null) {
            rowArray = manager.create(rows);
        }
        return rowArray;
    }

    /** Token mask as a Java array [B * L]. */
    public float[] maskValues() { return maskValues; }

    /** Real token counts per example. */
    public int[] lengthValues() { return lengthValues; }
}
