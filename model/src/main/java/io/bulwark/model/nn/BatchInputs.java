package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.encoding.EncodedBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link EncodedBatch} as NDArrays in a step's manager, with the masks the network needs.
 *
 * <p>The word vectors are built over the batch's <em>distinct words</em>: a mail batch repeats most of its words,
 * and a word's vector (its bucket plus its n-gram buckets) does not depend on where it occurs. So the n-gram lookup
 * and sum run over [W, G] distinct words instead of [B, L, G] positions, and a gather places the W vectors at their
 * positions. Distinct word 0 is padding (bucket 0 everywhere, a zero vector).
 */
public final class BatchInputs {

    private final NDManager manager;
    private final int size;
    private final int length;
    private final NDArray mask;
    private final NDArray mask3;
    private final NDArray lengths;
    private final float[] maskValues;
    private final int[] lengthValues;
    private final long[] rows;
    private final int ngramsPerToken;
    private final long[] wordBuckets;
    private final long[] wordNgramBuckets;
    private final NDArray wordIndex;
    private final NDArray wordScale;
    private NDArray attentionBias;
    private NDArray rowArray;
    private NDArray localRowArray;
    private NDArray globalWords;
    private NDArray globalWordNgrams;
    private NDArray localWords;
    private NDArray localWordNgrams;

    /** Uploads {@code batch} into {@code manager}. */
    public BatchInputs(EncodedBatch batch, NDManager manager) {
        this.manager = manager;
        this.size = batch.size();
        this.length = batch.length();
        this.maskValues = batch.mask();
        this.lengthValues = batch.lengths();
        this.rows = uniqueNonZero(batch.tokens(), batch.ngrams());
        Shape bl = new Shape(size, length);
        this.mask = manager.create(batch.mask(), bl);
        this.mask3 = mask.expandDims(2);
        float[] len = new float[size];
        for (int i = 0; i < size; i++) {
            len[i] = Math.max(1, batch.lengths()[i]);
        }
        this.lengths = manager.create(len, new Shape(size, 1));

        long[] tok = batch.tokens();
        long[] ng = batch.ngrams();
        int g = ng == null ? 0 : batch.ngramsPerToken();
        this.ngramsPerToken = g;
        Map<WordKey, Integer> ids = new HashMap<>();
        List<long[]> words = new ArrayList<>();
        words.add(new long[1 + g]); // padding
        ids.put(new WordKey(words.get(0)), 0);
        long[] index = new long[size * length];
        for (int t = 0; t < size * length; t++) {
            if (batch.mask()[t] == 0f) {
                continue; // padding position -> word 0
            }
            long[] key = new long[1 + g];
            key[0] = tok[t];
            if (g > 0) {
                System.arraycopy(ng, t * g, key, 1, g);
            }
            int next = words.size();
            int id = ids.computeIfAbsent(new WordKey(key), k -> next);
            if (id == next) {
                words.add(key);
            }
            index[t] = id;
        }
        int w = words.size();
        this.wordBuckets = new long[w];
        this.wordNgramBuckets = g == 0 ? null : new long[w * g];
        float[] scale = new float[w];
        for (int i = 0; i < w; i++) {
            long[] key = words.get(i);
            wordBuckets[i] = key[0];
            int count = 0;
            for (int k = 0; k < g; k++) {
                wordNgramBuckets[i * g + k] = key[1 + k];
                if (key[1 + k] != 0) {
                    count++;
                }
            }
            // A word's vector is the sum of its word embedding and its n-gram embeddings divided by
            // sqrt(1 + count): at initialisation (independent rows) it has the same per-coordinate scale as a
            // single embedding whatever the word's length, so epsilon means the same for every token.
            scale[i] = i == 0 ? 0f : (float) (1.0 / Math.sqrt(1.0 + (g == 0 ? 0 : count)));
        }
        this.wordIndex = manager.create(index, bl);
        this.wordScale = manager.create(scale, new Shape(w, 1));
    }

    /**
     * The same batch with each position's word taken from {@code index}, [B, L] (int64) indices into this batch's
     * distinct words: a word substitution among the batch's own words. Mask, lengths and the embedding rows stay as
     * they are, so {@code index} must keep padding positions at word 0 and real positions at words other than 0.
     */
    public BatchInputs withWordIndex(NDArray index) {
        return new BatchInputs(this, index);
    }

    private BatchInputs(BatchInputs o, NDArray index) {
        this.manager = o.manager;
        this.size = o.size;
        this.length = o.length;
        this.mask = o.mask;
        this.mask3 = o.mask3;
        this.lengths = o.lengths;
        this.maskValues = o.maskValues;
        this.lengthValues = o.lengthValues;
        this.rows = o.rows;
        this.ngramsPerToken = o.ngramsPerToken;
        this.wordBuckets = o.wordBuckets;
        this.wordNgramBuckets = o.wordNgramBuckets;
        this.wordIndex = index;
        this.wordScale = o.wordScale;
        this.attentionBias = o.attentionBias;
        this.rowArray = o.rowArray;
        this.localRowArray = o.localRowArray;
        this.globalWords = o.globalWords;
        this.globalWordNgrams = o.globalWordNgrams;
        this.localWords = o.localWords;
        this.localWordNgrams = o.localWordNgrams;
    }

    /** A word as its bucket followed by its n-gram buckets, compared by value. */
    private record WordKey(long[] buckets) {
        @Override
        public boolean equals(Object o) {
            return o instanceof WordKey k && Arrays.equals(buckets, k.buckets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(buckets);
        }
    }

    /** The step's manager. */
    public NDManager manager() { return manager; }

    /** Batch size B. */
    public int size() { return size; }

    /** Padded length L. */
    public int length() { return length; }

    /** N-gram slots per word G (0 without n-grams). */
    public int ngramsPerToken() { return ngramsPerToken; }

    /** Number of distinct words W in the batch, padding included (word 0). */
    public int distinctWords() { return wordBuckets.length; }

    /** For each position, the index of its distinct word, [B, L] (int64); 0 on padding. */
    public NDArray wordIndex() { return wordIndex; }

    /** Per distinct word: 1 / sqrt(1 + its n-gram count), 0 for padding, [W, 1]. */
    public NDArray wordScale() { return wordScale; }

    /**
     * Embedding rows of each distinct word's bucket, [W] (int64): rows of the full table, or of the batch-local
     * table when {@code local} (see {@link #localRowArray()}).
     */
    public NDArray wordRows(boolean local) {
        if (local) {
            if (localWords == null) {
                localWords = manager.create(toLocal(wordBuckets));
            }
            return localWords;
        }
        if (globalWords == null) {
            globalWords = manager.create(wordBuckets);
        }
        return globalWords;
    }

    /** Embedding rows of each distinct word's n-grams, [W, G] (int64; row 0, a zero row, pads), or null. */
    public NDArray wordNgramRows(boolean local) {
        if (wordNgramBuckets == null) {
            return null;
        }
        Shape shape = new Shape(wordBuckets.length, ngramsPerToken);
        if (local) {
            if (localWordNgrams == null) {
                localWordNgrams = manager.create(toLocal(wordNgramBuckets), shape);
            }
            return localWordNgrams;
        }
        if (globalWordNgrams == null) {
            globalWordNgrams = manager.create(wordNgramBuckets, shape);
        }
        return globalWordNgrams;
    }

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
        Arrays.sort(all);
        int n = 0;
        for (long v : all) {
            if (v != 0 && (n == 0 || all[n - 1] != v)) {
                all[n++] = v;
            }
        }
        return Arrays.copyOf(all, n);
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

    /**
     * The rows of a batch-local embedding table: padding row 0 followed by {@link #rows()}, as int64 [R + 1]. Row i of
     * the local table is row {@code localRows[i]} of the full table.
     */
    public NDArray localRowArray() {
        if (localRowArray == null) {
            long[] withPadding = new long[rows.length + 1];
            System.arraycopy(rows, 0, withPadding, 1, rows.length);
            localRowArray = manager.create(withPadding);
        }
        return localRowArray;
    }

    private long[] toLocal(long[] buckets) {
        long[] out = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            // rows is sorted and excludes 0; padding (0) maps to local row 0
            out[i] = buckets[i] == 0 ? 0 : Arrays.binarySearch(rows, buckets[i]) + 1;
        }
        return out;
    }

    /** Token mask as a Java array [B * L]. */
    public float[] maskValues() { return maskValues; }

    /** Real token counts per example. */
    public int[] lengthValues() { return lengthValues; }
}
