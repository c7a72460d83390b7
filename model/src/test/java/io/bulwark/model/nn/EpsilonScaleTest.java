package io.bulwark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.AdversaryConfig.EpsilonScale;
import io.bulwark.model.LearnerConfig.NormType;
import io.bulwark.model.encoding.HashingEncoder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Under EMBEDDING_RMS the perturbation grows with the embeddings, so growing them cannot shrink the ball. */
class EpsilonScaleTest {

    private static final List<String> TEXTS = List.of("win a free prize now", "meeting notes for the lunch");

    @ParameterizedTest
    @EnumSource(EpsilonScale.class)
    void perturbationEffectScalesWithTheEmbeddingsOnlyUnderRms(EpsilonScale unit) {
        LearnerConfig config = LearnerConfig.builder().optBuckets(512).optEmbeddingDim(8).optHiddenDim(8)
                .optMaxLength(8).optCharNgrams(0).optAdversary(io.bulwark.model.AdversaryConfig.DEFAULTS.withEpsilonScale(unit)).build();
        HashingEncoder encoder = new HashingEncoder(config.buckets(), config.maxLength(), 0, 1);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Network network = new Network(config);
            Parameters params = network.initialize(manager, new SeededRandom(5));
            BatchInputs in = new BatchInputs(encoder.encode(TEXTS), manager);
            NDArray delta = Perturbations.randomInBall(manager, new SeededRandom(2), in, 8, NormType.LINF, 0.05);

            double scale = Network.embeddingScale(network.embed(params, in), in).getFloat();
            assertThat(scale).as("about 1 at initialisation").isBetween(0.7, 1.3);

            float[] before = effect(network, params, in, delta);
            Parameters grown = params.copy(manager);
            grown.get(Network.EMBEDDING).muli(3f);
            float[] after = effect(network, grown, in, delta);
            double factor = unit == EpsilonScale.EMBEDDING_RMS ? 3.0 : 1.0;
            double max = 0;
            for (float v : before) {
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isGreaterThan(0.0);
            for (int i = 0; i < before.length; i++) {
                assertThat((double) after[i]).isCloseTo(factor * before[i], org.assertj.core.data.Offset.offset(1e-4 * max));
            }
        }
    }

    /** f0(x + delta) - f0(x) of the pooled encoder (linear in delta). */
    private static float[] effect(Network network, Parameters p, BatchInputs in, NDArray delta) {
        return network.firstLayer(p, in, delta, null).sub(network.firstLayer(p, in, null, null)).toFloatArray();
    }
}
