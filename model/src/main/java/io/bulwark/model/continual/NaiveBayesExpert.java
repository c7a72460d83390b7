package io.bulwark.model.continual;

import io.bulwark.model.ContinualConfig.NaiveBayesKind;
import io.bulwark.model.snapshot.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Naive Bayes over hashed word unigrams, kept in float32 arrays so that it is part of the learner's snapshot and
 * checkpoint. {@link NaiveBayesKind#MULTINOMIAL} is the estimator of {@link io.bulwark.model.baseline.NaiveBayes}
 * (document priors, Laplace smoothing alpha 1 over the distinct features seen, unseen features ignored). {@link
 * NaiveBayesKind#COMPLEMENT} scores class c by minus the log likelihood of the text under the word distribution of
 * every other class, with the same smoothing and no prior (Rennie et al. 2003). Both read the same counts, so the
 * kind can change between runs without retraining.
 */
final class NaiveBayesExpert {
    private static final double ALPHA = 1.0;

    private final NaiveBayesKind kind;
    private final int buckets;
    /** counts.get(c)[bucket]. */
    private final List<float[]> counts = new ArrayList<>();
    /** Per class: documents (weight sum) and tokens. */
    private final List<float[]> classTotals = new ArrayList<>();
    private float[] featureTotals;
    private int distinct;

    NaiveBayesExpert(NaiveBayesKind kind, int buckets) {
        this.kind = kind;
        this.buckets = buckets;
        this.featureTotals = new float[buckets];
    }

    void ensureClasses(int classes) {
        while (counts.size() < classes) {
            counts.add(new float[buckets]);
            classTotals.add(new float[2]);
        }
    }

    /**
     * Multinomial: log prior plus log likelihood per class. Complement: minus the log likelihood under the other
     * classes' counts. -Infinity for classes without documents; zeros before training.
     */
    double[] logScores(TextFeatures f, int classes) {
        return kind == NaiveBayesKind.COMPLEMENT ? complementScores(f, classes) : multinomialScores(f, classes);
    }

    private double[] multinomialScores(TextFeatures f, int classes) {
        double[] s = new double[classes];
        double documents = 0;
        for (int c = 0; c < classes && c < counts.size(); c++) {
            documents += classTotals.get(c)[0];
        }
        if (documents <= 0) {
            return s;
        }
        for (int c = 0; c < classes; c++) {
            float docs = c < counts.size() ? classTotals.get(c)[0] : 0f;
            s[c] = docs > 0 ? StrictMath.log(docs / documents) : Double.NEGATIVE_INFINITY;
        }
        double smoothedV = ALPHA * distinct;
        for (int b : f.unigrams) {
            if (featureTotals[b] == 0) {
                continue;
            }
            for (int c = 0; c < classes; c++) {
                if (s[c] != Double.NEGATIVE_INFINITY) {
                    s[c] += logRate(c, b, smoothedV);
                }
            }
        }
        return s;
    }

    private double[] complementScores(TextFeatures f, int classes) {
        double[] s = new double[classes];
        double tokens = 0;
        boolean trained = false;
        for (int c = 0; c < classes; c++) {
            float docs = c < counts.size() ? classTotals.get(c)[0] : 0f;
            if (docs > 0) {
                tokens += classTotals.get(c)[1];
                trained = true;
            } else {
                s[c] = Double.NEGATIVE_INFINITY;
            }
        }
        if (!trained) {
            return new double[classes];
        }
        double smoothedV = ALPHA * distinct;
        for (int b : f.unigrams) {
            if (featureTotals[b] == 0) {
                continue;
            }
            for (int c = 0; c < classes; c++) {
                if (s[c] != Double.NEGATIVE_INFINITY) {
                    double others = featureTotals[b] - counts.get(c)[b];
                    double othersTotal = tokens - classTotals.get(c)[1];
                    s[c] -= StrictMath.log((others + ALPHA) / (othersTotal + smoothedV));
                }
            }
        }
        return s;
    }

    /**
     * How much more typical the word in {@code bucket} is of class {@code toward} than of {@code away}: the log ratio
     * of its smoothed rates, NaN when the word was never counted or a class has no documents.
     */
    double typicality(int bucket, int toward, int away) {
        if (featureTotals[bucket] == 0 || toward >= counts.size() || away >= counts.size()
                || classTotals.get(toward)[0] <= 0 || classTotals.get(away)[0] <= 0) {
            return Double.NaN;
        }
        double smoothedV = ALPHA * distinct;
        return logRate(toward, bucket, smoothedV) - logRate(away, bucket, smoothedV);
    }

    /** The smoothed log rate of the word in {@code bucket} among class {@code c}'s tokens. */
    private double logRate(int c, int bucket, double smoothedV) {
        return StrictMath.log((counts.get(c)[bucket] + ALPHA) / (classTotals.get(c)[1] + smoothedV));
    }

    void update(TextFeatures f, int target, float weight) {
        float[] row = counts.get(target);
        float[] totals = classTotals.get(target);
        totals[0] += weight;
        for (int b : f.unigrams) {
            if (featureTotals[b] == 0) {
                distinct++;
            }
            featureTotals[b] += weight;
            row[b] += weight;
            totals[1] += weight;
        }
    }

    void export(String prefix, Map<String, TensorData> out) {
        out.put(prefix + "counts", Tensors.matrix(counts, buckets));
        out.put(prefix + "classTotals", Tensors.matrix(classTotals, 2));
        out.put(prefix + "featureTotals", Tensors.vector(featureTotals));
    }

    void load(String prefix, Map<String, TensorData> in) {
        counts.clear();
        classTotals.clear();
        counts.addAll(Tensors.rows(in, prefix + "counts", buckets));
        classTotals.addAll(Tensors.rows(in, prefix + "classTotals", 2));
        featureTotals = Tensors.vector(in, prefix + "featureTotals", buckets);
        distinct = 0;
        for (float v : featureTotals) {
            if (v != 0) {
                distinct++;
            }
        }
    }
}
