package io.bulwark.serving.model;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.encoding.Tokenizer;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.nn.Network;
import io.bulwark.model.snapshot.ParameterFormat;
import io.bulwark.model.snapshot.TensorData;
import java.util.List;
import java.util.Map;

/**
 * The pooled word embedding of a text under one model version, computed on the heap from a copy of the version's
 * hashed embedding table: each word's vector is its embedding plus its character n-gram embeddings, scaled by
 * {@code 1 / sqrt(1 + n-grams)} (as the network builds it), and the text's vector is the mean over its words, the
 * input of the pooled encoder's dense layer. No native call and no lock shared with scoring, so the input monitor can
 * embed served texts on its own thread. Immutable and thread-safe.
 */
public final class PooledEmbedder {

    private final HashingEncoder encoder;
    private final float[] table;
    private final int rows;
    private final int dim;

    /**
     * An embedder over {@code table} (row-major, {@code rows x dim}) with the model's {@code encoder}.
     *
     * @throws IllegalArgumentException if the table's size is not {@code rows x dim}
     */
    public PooledEmbedder(HashingEncoder encoder, float[] table, int rows, int dim) {
        if (rows < 1 || dim < 1 || (long) rows * dim != table.length) {
            throw new IllegalArgumentException("embedding table of " + table.length + " values is not " + rows + " x "
                    + dim);
        }
        this.encoder = encoder;
        this.table = table;
        this.rows = rows;
        this.dim = dim;
    }

    /**
     * The embedder of a snapshot's student, from its configuration and its {@value Network#EMBEDDING} tensor.
     *
     * @throws io.bulwark.model.snapshot.SnapshotFormatException if the payload is corrupt
     * @throws IllegalArgumentException if it holds no embedding table of the configured shape
     */
    public static PooledEmbedder of(ModelSnapshot snapshot) {
        LearnerConfig config = Snapshots.config(snapshot);
        Map<String, TensorData> tensors = ParameterFormat.fromPayload(snapshot.getPayload());
        TensorData embedding = tensors.get(Network.EMBEDDING);
        if (embedding == null || embedding.shape().length != 2) {
            throw new IllegalArgumentException("the payload holds no 2-d '" + Network.EMBEDDING + "' tensor");
        }
        HashingEncoder encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                config.maxNgramsPerToken(), config.normalization());
        return new PooledEmbedder(encoder, embedding.data(), (int) embedding.shape()[0], (int) embedding.shape()[1]);
    }

    /** Dimensions of a pooled vector. */
    public int dimension() {
        return dim;
    }

    /** Bytes of the table copy this embedder holds. */
    public long bytes() {
        return 4L * table.length;
    }

    /** The pooled vector of {@code text} (zeros when it has no token). */
    public float[] embed(String text) {
        float[] out = new float[dim];
        List<Tokenizer.Token> tokens = encoder.tokens(text);
        if (tokens.isEmpty()) {
            return out;
        }
        float[] word = new float[dim];
        for (Tokenizer.Token t : tokens) {
            java.util.Arrays.fill(word, 0f);
            add(word, encoder.wordBucket(t.text()));
            int[] grams = encoder.ngramIds(t);
            for (int g : grams) {
                add(word, g);
            }
            float scale = (float) (1.0 / Math.sqrt(1 + grams.length));
            for (int i = 0; i < dim; i++) {
                out[i] += word[i] * scale;
            }
        }
        for (int i = 0; i < dim; i++) {
            out[i] /= tokens.size();
        }
        return out;
    }

    private void add(float[] acc, int row) {
        if (row <= 0 || row >= rows) {
            return;
        }
        int base = row * dim;
        for (int i = 0; i < dim; i++) {
            acc[i] += table[base + i];
        }
    }
}
