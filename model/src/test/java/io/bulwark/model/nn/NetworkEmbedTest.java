package io.bulwark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.encoding.EncodedBatch;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.optim.AdamOptimizer;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The distinct-word and batch-local embedding paths compute exactly the per-position word vectors. */
class NetworkEmbedTest {

    private static final List<String> TEXTS = List.of(
            "win a free prize now win win",
            "meeting notes for the free lunch",
            "v1agra viagra VIAGRA !!!");

    @Test
    void wordVectorsMatchThePerPositionDefinition() {
        LearnerConfig config = LearnerConfig.builder().optBuckets(512).optEmbeddingDim(8).optHiddenDim(8)
                .optMaxLength(8).optCharNgrams(3).optMaxNgramsPerToken(5).build();
        HashingEncoder encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                config.maxNgramsPerToken());
        EncodedBatch batch = encoder.encode(TEXTS);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Network network = new Network(config);
            Parameters params = network.initialize(manager, new SeededRandom(5));
            BatchInputs in = new BatchInputs(batch, manager);
            float[] table = params.get(Network.EMBEDDING).toFloatArray();
            float[] expected = expected(batch, table, config.embeddingDim());

            float[] global = network.embed(params, in).toFloatArray();
            assertThat(global).containsExactly(expected, Offset.offset(1e-6f));
            // Repeated words ("win" x3) are looked up once.
            assertThat(in.distinctWords()).isLessThan(batch.size() * batch.length());

            NDArray local = AdamOptimizer.rowsOf(params.get(Network.EMBEDDING), in.localRowArray());
            float[] viaLocal = network.embed(params.withBatchLocalEmbedding(local), in).toFloatArray();
            assertThat(viaLocal).containsExactly(global);
        }
    }

    /** (E[word] + sum of E[n-gram]) / sqrt(1 + n-grams), zero on padding, computed position by position. */
    private static float[] expected(EncodedBatch b, float[] table, int d) {
        int positions = b.size() * b.length();
        int g = b.ngramsPerToken();
        float[] out = new float[positions * d];
        for (int t = 0; t < positions; t++) {
            if (b.mask()[t] == 0f) {
                continue;
            }
            int count = 0;
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = table[(int) b.tokens()[t] * d + j];
            }
            for (int k = 0; k < g; k++) {
                long row = b.ngrams()[t * g + k];
                if (row != 0) {
                    count++;
                    for (int j = 0; j < d; j++) {
                        v[j] += table[(int) row * d + j];
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                out[t * d + j] = (float) (v[j] / Math.sqrt(1.0 + count));
            }
        }
        return out;
    }
}
