package io.bulwark.model.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.model.Example;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaiveBayesTest {

    /** Manning, Raghavan and Schütze, Introduction to Information Retrieval, Example 13.1. */
    private static final List<Example> TRAIN = List.of(
            Example.of("Chinese Beijing Chinese", "china"),
            Example.of("Chinese Chinese Shanghai", "china"),
            Example.of("Chinese Macao", "china"),
            Example.of("Tokyo Japan Chinese", "japan"));
    private static final String TEST = "Chinese Chinese Chinese Tokyo Japan";

    @Test
    void reproducesTheTextbookExample() {
        NaiveBayes nb = NaiveBayes.builder().build();
        nb.train(TRAIN);

        assertThat(nb.labels()).containsExactly("china", "japan");
        assertThat(nb.vocabularySize()).isEqualTo(6);
        // P(c) = 3/4, P(Chinese|c) = 6/14, P(Tokyo|c) = P(Japan|c) = 1/14; P(~c) = 1/4, all three = 2/9.
        double china = 0.75 * Math.pow(6.0 / 14, 3) * (1.0 / 14) * (1.0 / 14);
        double japan = 0.25 * Math.pow(2.0 / 9, 3) * (2.0 / 9) * (2.0 / 9);
        double[] logScores = nb.logScores(TEST);
        assertThat(logScores[0]).isCloseTo(Math.log(china), within(1e-12));
        assertThat(logScores[1]).isCloseTo(Math.log(japan), within(1e-12));
        assertThat(nb.probabilities(TEST)[0]).isCloseTo(china / (china + japan), within(1e-12));
        assertThat(nb.predict(TEST)).isEqualTo("china");
    }

    @Test
    void hashedFeaturesWithoutCollisionsGiveTheSameScores() {
        NaiveBayes exact = NaiveBayes.builder().build();
        NaiveBayes hashed = NaiveBayes.builder().optBuckets(1 << 20).build();
        exact.train(TRAIN);
        hashed.train(TRAIN);
        assertThat(hashed.vocabularySize()).isEqualTo(6);
        assertThat(hashed.logScores(TEST)).containsExactly(exact.logScores(TEST), within(1e-12));
    }

    @Test
    void unseenTokensAreIgnoredAndWeightsScaleCounts() {
        NaiveBayes nb = NaiveBayes.builder().build();
        nb.train(TRAIN);
        assertThat(nb.logScores(TEST + " never seen words")).containsExactly(nb.logScores(TEST), within(1e-12));

        NaiveBayes doubled = NaiveBayes.builder().build();
        NaiveBayes weighted = NaiveBayes.builder().build();
        for (Example e : TRAIN) {
            doubled.train(e);
            doubled.train(e);
            weighted.train(new Example(e.text(), e.label(), 2f));
        }
        assertThat(weighted.logScores(TEST)).containsExactly(doubled.logScores(TEST), within(1e-12));
    }

    @Test
    void testThenTrainScoresBeforeUpdatingAndSkipsUnlabeled() {
        NaiveBayes nb = NaiveBayes.builder().optLabels(List.of("ham", "spam")).build();
        assertThat(nb.predict("anything")).isEqualTo("ham");

        // Before any training every text is predicted "ham": one of the two labeled examples is right.
        int correct = nb.testThenTrain(List.of(
                Example.of("cheap pills now", "spam"),
                Example.of("meeting at noon", "ham"),
                Example.unlabeled("cheap meeting")));
        assertThat(correct).isEqualTo(1);
        assertThat(nb.documents()).isEqualTo(2.0);
        assertThat(nb.testThenTrain(List.of(Example.of("cheap pills", "spam"), Example.of("noon meeting", "ham"))))
                .isEqualTo(2);
        assertThat(nb.accuracy(List.of(Example.of("pills", "spam"), Example.unlabeled("x")))).isEqualTo(1.0);
    }

    @Test
    void labelsAreLearnedUpToTheLimit() {
        NaiveBayes nb = NaiveBayes.builder().optMaxLabels(2).build();
        nb.train(List.of(Example.of("a", "x"), Example.of("b", "y"), Example.of("c", "z")));
        assertThat(nb.labels()).containsExactly("x", "y");
        assertThat(nb.acceptsLabel("z")).isFalse();
        assertThat(nb.documents()).isEqualTo(2.0);
    }

    @Test
    void builderRejectsBadValues() {
        assertThatThrownBy(() -> NaiveBayes.builder().optAlpha(0).build()).hasMessageContaining("alpha");
        assertThatThrownBy(() -> NaiveBayes.builder().optBuckets(-1).build()).hasMessageContaining("buckets");
        assertThatThrownBy(() -> NaiveBayes.builder().optLabels(List.of("a", "a")).build())
                .hasMessageContaining("Duplicate");
    }

    @Test
    void tokenizerKeepsWordsAndSymbolRuns() {
        assertThat(new WordTokenizer(5, 100).tokenize("FREE $$$ money!!!!!! Ｃafé-au-lait 12345678"))
                .containsExactly("free", "$$$", "money", "!!!!", "café", "-", "au", "-", "lait", "12345");
        assertThat(new WordTokenizer(40, 2).tokenize("one two three")).containsExactly("one", "two");
    }

    @Test
    void maxTokensLimitsWhatTheModelReads() {
        NaiveBayes nb = NaiveBayes.builder().optMaxTokens(1).build();
        nb.train(List.of(Example.of("alpha beta", "a"), Example.of("gamma delta", "b")));
        assertThat(nb.vocabularySize()).isEqualTo(2);
        assertThat(nb.predict("zeta gamma")).isEqualTo("a"); // only "zeta" is read: a tie, won by the first label
        assertThat(nb.predict("gamma alpha")).isEqualTo("b");
    }
}
