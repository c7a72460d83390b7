package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.StreamOrder;
import io.bulwark.model.encoding.Deobfuscator;
import io.bulwark.model.learner.Learner;
import io.bulwark.serving.bench.BenchModels;
import io.bulwark.serving.model.PooledEmbedder;
import io.bulwark.serving.testing.RealModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the centroid distance's threshold comes from: under a model trained on the bundled corpus, the distance
 * between two random samples of the corpus (one distribution), in units of its noise floor, over many random splits;
 * and the same statistic when the class mix of the current window moves. The threshold of
 * {@link MonitorSettings#DEFAULTS} must sit above every split of one distribution and below the shift.
 */
class EmbeddingNoiseFloorTest {

    private static final int SPLITS = 300;
    private static List<String> ham;
    private static List<String> spam;
    private static List<float[]> hamVectors;
    private static List<float[]> spamVectors;

    @BeforeAll
    static void embedTheCorpus() {
        List<Example> corpus = BundledCorpus.load(StreamOrder.SHUFFLED, 11);
        PooledEmbedder embedder;
        try (Learner learner = RealModels.newLearner(5)) {
            for (int b = 0; b < 60; b++) {
                learner.train(corpus.subList(b * 16, (b + 1) * 16));
            }
            embedder = PooledEmbedder.of(BenchModels.snapshot(learner, "floor", 1));
        }
        ham = new ArrayList<>();
        spam = new ArrayList<>();
        for (Example e : corpus.subList(960, corpus.size())) {
            ("spam".equals(e.label()) ? spam : ham).add(Deobfuscator.normalize(e.text()));
        }
        hamVectors = ham.stream().map(embedder::embed).toList();
        spamVectors = spam.stream().map(embedder::embed).toList();
    }

    /** The ratio of two windows filled with the given vectors. */
    private static double ratio(List<float[]> reference, List<float[]> current) {
        // Feed pre-computed vectors: the windows are what the statistic reads.
        EmbeddingWindow r = new EmbeddingWindow(reference.size());
        EmbeddingWindow c = new EmbeddingWindow(current.size());
        reference.forEach(v -> r.add("", v));
        current.forEach(v -> c.add("", v));
        return measure(r, c);
    }

    private static double measure(EmbeddingWindow r, EmbeddingWindow c) {
        double[] a = r.centroid();
        double[] b = c.centroid();
        double d2 = 0;
        for (int i = 0; i < a.length; i++) {
            d2 += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(d2) / Math.sqrt(r.spread() / r.size() + c.spread() / c.size());
    }

    /** {@code n} vectors with a share {@code spamShare} of spam, drawn at random. */
    private static List<float[]> sample(int n, double spamShare, Random rng) {
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<float[]> from = rng.nextDouble() < spamShare ? spamVectors : hamVectors;
            out.add(from.get(rng.nextInt(from.size())));
        }
        return out;
    }

    private static double[] splits(int n, double spamShare, long seed) {
        Random rng = new Random(seed);
        double[] r = new double[SPLITS];
        for (int s = 0; s < SPLITS; s++) {
            List<float[]> both = sample(2 * n, spamShare, rng);
            Collections.shuffle(both, rng);
            r[s] = ratio(both.subList(0, n), both.subList(n, 2 * n));
        }
        Arrays.sort(r);
        return r;
    }

    @Test
    void twoSamplesOfOneDistributionStayBelowTheThreshold() {
        double threshold = MonitorSettings.DEFAULTS.embeddingDistance();
        double share = (double) spam.size() / (spam.size() + ham.size());
        for (int n : new int[] {100, 500}) {
            double[] r = splits(n, share, n);
            double meanSquare = Arrays.stream(r).map(x -> x * x).average().orElseThrow();
            System.out.printf(Locale.ROOT, "centroid distance / noise floor, %d vs %d texts of one distribution, %d"
                            + " splits: mean r^2 %.3f, median %.3f, 99th percentile %.3f, max %.3f%n", n, n, SPLITS,
                    meanSquare, r[SPLITS / 2], r[(int) (SPLITS * 0.99)], r[SPLITS - 1]);
            // the noise floor is the root of the expected squared distance: r^2 averages about 1
            assertThat(meanSquare).as("mean r^2 at n = %d", n).isBetween(0.8, 1.25);
            assertThat(r[SPLITS - 1]).as("largest of %d splits at n = %d", SPLITS, n).isLessThan(threshold);
        }
    }

    @Test
    void aMoveOfTheClassMixPassesTheThreshold() {
        double threshold = MonitorSettings.DEFAULTS.embeddingDistance();
        Random rng = new Random(3);
        double r500 = ratio(sample(500, 0.2, rng), sample(500, 0.5, rng));
        double r100 = ratio(sample(100, 0.1, rng), sample(100, 0.7, rng));
        System.out.printf(Locale.ROOT, "centroid distance / noise floor: spam 20%% -> 50%% at 500 texts %.2f;"
                + " 10%% -> 70%% at 100 texts %.2f%n", r500, r100);
        assertThat(r500).isGreaterThan(threshold);
        assertThat(r100).isGreaterThan(threshold);
    }
}
