package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.AdversaryConfig;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Learner;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiscreteFlipsTest {

    @Test
    void picksTheSubstitutionWithTheLargestFirstOrderGainPerLabeledRow() {
        int b = 4;
        int l = 5;
        int w = 6;
        int d = 3;
        long[] index = {1, 2, 3, 0, 0, 4, 4, 5, 1, 2, 2, 3, 0, 0, 0, 5, 1, 2, 3, 4};
        float[] weights = {1f, 1f, 0f, 1f};
        Random random = new Random(3);
        float[] words = new float[w * d];
        for (int i = d; i < words.length; i++) {
            words[i] = (float) random.nextGaussian();
        }
        float[] grad = new float[b * l * d];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = (float) random.nextGaussian();
        }
        float[] mask = new float[b * l];
        float[] x = new float[b * l * d];
        for (int t = 0; t < b * l; t++) {
            mask[t] = index[t] == 0 ? 0f : 1f;
            System.arraycopy(words, (int) index[t] * d, x, t * d, d);
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray out = DiscreteFlips.substitute(m.create(index, new Shape(b, l)), m.create(mask, new Shape(b, l)),
                    m.create(weights), m.create(grad, new Shape(b, l, d)), m.create(x, new Shape(b, l, d)),
                    m.create(words, new Shape(w, d)));
            long[] got = out.toLongArray();
            int changedRows = 0;
            for (int r = 0; r < b; r++) {
                double bestGain = Double.NEGATIVE_INFINITY;
                int bestPos = -1;
                int bestWord = -1;
                for (int i = 0; i < l; i++) {
                    int t = r * l + i;
                    if (index[t] == 0) {
                        continue;
                    }
                    for (int k = 1; k < w; k++) {
                        if (k == index[t]) {
                            continue;
                        }
                        double gain = 0;
                        for (int j = 0; j < d; j++) {
                            gain += grad[t * d + j] * (words[k * d + j] - x[t * d + j]);
                        }
                        if (gain > bestGain) {
                            bestGain = gain;
                            bestPos = i;
                            bestWord = k;
                        }
                    }
                }
                for (int i = 0; i < l; i++) {
                    int t = r * l + i;
                    boolean flipped = weights[r] > 0 && bestGain > 0 && i == bestPos;
                    assertThat(got[t]).as("row %d position %d", r, i).isEqualTo(flipped ? bestWord : index[t]);
                }
                changedRows += weights[r] > 0 && bestGain > 0 ? 1 : 0;
            }
            assertThat(changedRows).as("rows with a substitution").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void freeAtTrainsOnSubstitutedWordsWithoutExtraPasses() {
        List<Example> data = SyntheticData.keywordTask(64, 4);
        LearnerConfig.Builder base = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(3)
                .optLabels(List.of("ham", "spam"));
        try (Learner plain = Learner.create(base.build());
             Learner flipping = Learner.create(base.optAdversary(AdversaryConfig.DEFAULTS.withDiscreteFlips(2)).build())) {
            for (int i = 0; i < 64; i += 16) {
                StepResult a = plain.train(data.subList(i, i + 16));
                StepResult f = flipping.train(data.subList(i, i + 16));
                assertThat(f.passes()).isEqualTo(a.passes()).isEqualTo(3);
                assertThat(f.updates()).isEqualTo(3);
            }
            assertThat(flipping.parameterValues().get("head.weight"))
                    .as("the replays trained on other words").isNotEqualTo(plain.parameterValues().get("head.weight"));
        }
    }
}
