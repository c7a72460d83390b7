package io.bulwark.serving.monitor;

import io.bulwark.serving.canary.CanaryConfidences;
import java.util.List;

/**
 * Histogram-binning calibration of one version's confidence, fitted on its answers to the clean canary texts, and
 * the label-free accuracy estimate it gives (CBPE, NannyML's confidence-based performance estimation): the expected
 * accuracy of a stream is the mean calibrated confidence of its answers.
 *
 * <p>The calibrated accuracy of a bin is {@code (right_b + m * a) / (n_b + m)}, the bin's canary accuracy shrunk
 * towards the overall canary accuracy {@code a} with {@code m} = {@value #PRIOR_WEIGHT} pseudo-examples, so a bin with
 * few canary answers neither trusts nor ignores them.
 */
public final class Calibration {

    /** Upper edges of the confidence bins; the last bin ends at 1 inclusive. */
    static final double[] EDGES = {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0};
    /** Pseudo-examples of the overall accuracy added to each bin. */
    static final double PRIOR_WEIGHT = 10;

    private final long[] counts;
    private final double[] accuracy;
    private final long n;
    private final double overall;

    private Calibration(long[] counts, long[] right, long n, double overall) {
        this.counts = counts;
        this.n = n;
        this.overall = overall;
        this.accuracy = new double[counts.length];
        for (int b = 0; b < counts.length; b++) {
            accuracy[b] = (right[b] + PRIOR_WEIGHT * overall) / (counts[b] + PRIOR_WEIGHT);
        }
    }

    /** Fits the calibration on canary answers; null without answers. */
    public static Calibration fit(List<CanaryConfidences.Answer> answers) {
        if (answers.isEmpty()) {
            return null;
        }
        long[] counts = new long[EDGES.length];
        long[] right = new long[EDGES.length];
        long correct = 0;
        for (CanaryConfidences.Answer a : answers) {
            int b = bin(a.confidence());
            counts[b]++;
            if (a.correct()) {
                right[b]++;
                correct++;
            }
        }
        return new Calibration(counts, right, answers.size(), (double) correct / answers.size());
    }

    /** The bin of a confidence. */
    static int bin(double confidence) {
        for (int b = 0; b < EDGES.length - 1; b++) {
            if (confidence < EDGES[b]) {
                return b;
            }
        }
        return EDGES.length - 1;
    }

    /** The expected accuracy of answers with {@code binCounts} per confidence bin (NaN without answers). */
    public double expectedAccuracy(long[] binCounts) {
        long total = 0;
        double sum = 0;
        for (int b = 0; b < binCounts.length; b++) {
            total += binCounts[b];
            sum += binCounts[b] * accuracy[b];
        }
        return total == 0 ? Double.NaN : sum / total;
    }

    /** Canary answers per confidence bin (the reference of the confidence drift). */
    public long[] counts() {
        return counts.clone();
    }

    /** Canary answers the calibration rests on. */
    public long n() {
        return n;
    }

    /** Canary accuracy of the version. */
    public double canaryAccuracy() {
        return overall;
    }

    /** Calibrated accuracy per bin. */
    public double[] binAccuracy() {
        return accuracy.clone();
    }
}
