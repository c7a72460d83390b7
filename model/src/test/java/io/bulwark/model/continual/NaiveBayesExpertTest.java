package io.bulwark.model.continual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.model.ContinualConfig.NaiveBayesKind;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerParams;
import io.bulwark.model.baseline.WordTokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NaiveBayesExpertTest {
    private static final int BUCKETS = 4096;
    private final WordTokenizer tokenizer = new WordTokenizer();

    private TextFeatures features(String text) {
        return TextFeatures.of(tokenizer, text, BUCKETS);
    }

    /** Both kinds trained on the same stream: many examples of classes 0 and 1, two of class 2. */
    private NaiveBayesExpert trained(NaiveBayesKind kind) {
        NaiveBayesExpert nb = new NaiveBayesExpert(kind, BUCKETS);
        nb.ensureClasses(3);
        for (int i = 0; i < 200; i++) {
            nb.update(features("common alpha"), 0, 1f);
            nb.update(features("common beta"), 1, 1f);
        }
        nb.update(features("common gamma"), 2, 1f);
        nb.update(features("common gamma"), 2, 1f);
        return nb;
    }

    @Test
    void aRareClassIsNotBuriedByTheLargeClassesUnderTheComplementEstimate() {
        TextFeatures rare = features("common common common gamma");
        assertThat(Probabilities.argmax(trained(NaiveBayesKind.MULTINOMIAL).logScores(rare, 3)))
                .as("multinomial naive Bayes: the prior and the rare class's sparse counts bury it").isZero();
        assertThat(Probabilities.argmax(trained(NaiveBayesKind.COMPLEMENT).logScores(rare, 3))).isEqualTo(2);
        // The large classes are still recognised.
        NaiveBayesExpert complement = trained(NaiveBayesKind.COMPLEMENT);
        assertThat(Probabilities.argmax(complement.logScores(features("common alpha alpha"), 3))).isZero();
        assertThat(Probabilities.argmax(complement.logScores(features("beta common"), 3))).isEqualTo(1);
    }

    @Test
    void withTwoClassesTheComplementIsMultinomialWithAUniformPrior() {
        NaiveBayesExpert multinomial = new NaiveBayesExpert(NaiveBayesKind.MULTINOMIAL, BUCKETS);
        NaiveBayesExpert complement = new NaiveBayesExpert(NaiveBayesKind.COMPLEMENT, BUCKETS);
        String[][] stream = {{"cheap pills now", "1"}, {"meeting at noon", "0"}, {"cheap offer now now", "1"},
            {"lunch at noon with the team", "0"}, {"the team offer", "0"}};
        for (NaiveBayesExpert nb : new NaiveBayesExpert[] {multinomial, complement}) {
            nb.ensureClasses(2);
            for (String[] e : stream) {
                nb.update(features(e[0]), Integer.parseInt(e[1]), 1f);
            }
        }
        double logPriorRatio = Math.log(3.0 / 2.0); // 3 documents of class 0, 2 of class 1
        for (String text : new String[] {"cheap lunch", "the team meeting now", "pills pills offer", "unseen"}) {
            double[] m = multinomial.logScores(features(text), 2);
            double[] c = complement.logScores(features(text), 2);
            assertThat(c[0] - c[1]).as(text).isCloseTo(m[0] - m[1] - logPriorRatio, within(1e-9));
        }
    }

    @Test
    void beforeTrainingAndForClassesWithoutDocumentsTheScoresAreNeutralOrImpossible() {
        NaiveBayesExpert nb = new NaiveBayesExpert(NaiveBayesKind.COMPLEMENT, BUCKETS);
        nb.ensureClasses(3);
        assertThat(nb.logScores(features("anything"), 3)).containsExactly(0.0, 0.0, 0.0);
        nb.update(features("one two"), 0, 1f);
        nb.update(features("three"), 1, 1f);
        double[] s = nb.logScores(features("one three"), 3);
        assertThat(s[2]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s[0]).isFinite();
    }

    @Test
    void modelsStoredBeforeTheKeyExistedKeepTheMultinomialEstimate() {
        Map<String, String> stored = new LinkedHashMap<>(LearnerConfig.builder().build().toMap());
        assertThat(LearnerConfig.fromMap(stored).continual().naiveBayesKind()).isEqualTo(NaiveBayesKind.COMPLEMENT);
        stored.remove(LearnerParams.CONTINUAL_NAIVE_BAYES.key());
        assertThat(LearnerConfig.fromStoredMap(stored).continual().naiveBayesKind())
                .isEqualTo(NaiveBayesKind.MULTINOMIAL);
    }
}
