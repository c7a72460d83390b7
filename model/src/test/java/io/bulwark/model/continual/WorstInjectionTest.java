package io.bulwark.model.continual;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerParams;
import io.bulwark.model.baseline.WordTokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wide model's worst-case injection ({@code continual.wideAdversarialWords}). */
class WorstInjectionTest {
    private static final int BUCKETS = 512;
    private final WordTokenizer tokenizer = new WordTokenizer();

    private TextFeatures features(String text) {
        return TextFeatures.of(tokenizer, text, BUCKETS);
    }

    private WideModel trained() {
        WideModel m = new WideModel(BUCKETS, 0.5);
        m.ensureClasses(2);
        String[] ham = {"meeting agenda tomorrow", "the patch fixes the build", "lunch with the team", "release notes"};
        String[] spam = {"cheap pills online", "win money now", "free offer click", "cheap loans money"};
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < ham.length; i++) {
                m.update(features(ham[i]), 0, 2, 1f);
                m.update(features(spam[i]), 1, 2, 1f);
            }
        }
        return m;
    }

    private static double margin(WideModel m, TextFeatures f) {
        double[] z = m.logits(f, 2);
        return z[1] - z[0];
    }

    @Test
    void theInjectionLowersTheMarginMoreThanAnyOtherSetOfAsManyNewFeatures() {
        WideModel m = trained();
        TextFeatures spam = features("win cheap pills now");
        TextFeatures worst = m.worstInjection(spam, 1, 2, 3);
        assertThat(worst.wide.length).isEqualTo(spam.wide.length + 3);
        for (int b : spam.wide) {
            assertThat(Arrays.binarySearch(worst.wide, b)).isGreaterThanOrEqualTo(0);
        }
        double worstMargin = margin(m, worst);
        assertThat(worstMargin).as("margin after the worst injection").isLessThan(margin(m, spam));
        Random rng = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int[] added = rng.ints(0, BUCKETS).distinct()
                    .filter(b -> Arrays.binarySearch(spam.wide, b) < 0).limit(3).toArray();
            assertThat(margin(m, spam.withAdded(added))).as("a random injection of 3 features %s",
                    Arrays.toString(added)).isGreaterThanOrEqualTo(worstMargin - 1e-9);
        }
    }

    @Test
    void nothingIsAddedWhenNoFeatureFavoursTheRival() {
        WideModel m = new WideModel(BUCKETS, 0.5);
        m.ensureClasses(2);
        TextFeatures f = features("anything at all");
        assertThat(m.worstInjection(f, 1, 2, 5)).isSameAs(f);
        assertThat(trained().worstInjection(f, 1, 2, 0)).isSameAs(f);
    }

    @Test
    void trainingOnTheWorstInjectionRaisesTheMarginUnderThatInjection() {
        ContinualConfig cfg = LearnerConfig.fromMap(Map.of(LearnerParams.CONTINUAL_WIDE_ADVERSARIAL.key(), "4"))
                .continual();
        assertThat(cfg.wideAdversarialWords()).isEqualTo(4);
        assertThat(LearnerConfig.fromMap(Map.of()).continual().wideAdversarialWords()).as("default").isZero();
        WideModel plain = trained();
        WideModel adversarial = trained();
        TextFeatures spam = features("win cheap pills now");
        TextFeatures attacked = plain.worstInjection(spam, 1, 2, 4);
        for (int r = 0; r < 10; r++) {
            plain.update(spam, 1, 2, 1f);
            adversarial.update(spam, 1, 2, 1f);
            adversarial.update(adversarial.worstInjection(spam, 1, 2, 4), 1, 2, 1f);
        }
        assertThat(margin(adversarial, attacked)).isGreaterThan(margin(plain, attacked));
    }
}
