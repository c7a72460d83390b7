package io.bulwark.model.continual;

import io.bulwark.model.snapshot.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Online multinomial logistic regression over hashed unigrams and bigrams with per-coordinate AdaGrad steps (Duchi,
 * Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization", JMLR 2011): the
 * wide part beside the network. One update per example, so it learns from the first example; weights are clipped to
 * [-{@value #CLIP}, {@value #CLIP}] so that no single n-gram dominates a text.
 *
 * <p>State is float32 throughout so that a checkpoint restores it bitwise.
 */
final class WideModel {
    static final float CLIP = 4f;
    private static final double EPS = 1e-6;

    private final int buckets;
    private final double learningRate;
    /** weights.get(c)[bucket], and the class bias at index {@code buckets}. */
    private final List<float[]> weights = new ArrayList<>();
    private final List<float[]> squaredGradients = new ArrayList<>();

    WideModel(int buckets, double learningRate) {
        this.buckets = buckets;
        this.learningRate = learningRate;
    }

    /** Grows the model to {@code classes} outputs. */
    void ensureClasses(int classes) {
        while (weights.size() < classes) {
            weights.add(new float[buckets + 1]);
            squaredGradients.add(new float[buckets + 1]);
        }
    }

    /** Logits of the first {@code classes} outputs. */
    double[] logits(TextFeatures f, int classes) {
        double[] z = new double[classes];
        for (int c = 0; c < classes && c < weights.size(); c++) {
            float[] w = weights.get(c);
            double s = 0;
            for (int b : f.wide) {
                s += w[b];
            }
            z[c] = s * f.wideValue + w[buckets];
        }
        return z;
    }

    /** One AdaGrad step on the softmax cross-entropy of {@code target} among {@code classes} outputs. */
    void update(TextFeatures f, int target, int classes, float weight) {
        double[] p = Probabilities.softmax(logits(f, classes));
        for (int c = 0; c < classes; c++) {
            double g = weight * (p[c] - (c == target ? 1.0 : 0.0));
            if (g == 0) {
                continue;
            }
            float[] w = weights.get(c);
            float[] g2 = squaredGradients.get(c);
            double gx = g * f.wideValue;
            for (int b : f.wide) {
                step(w, g2, b, gx);
            }
            step(w, g2, buckets, g);
        }
    }

    /**
     * The worst injection of {@code k} features into {@code f} against {@code target}, to first order: the {@code k}
     * slots not in {@code f} with the largest positive {@code w[r] - w[target]}, where r is the class other than
     * {@code target} with the highest logit on {@code f}. Adding these features moves the logit margin of {@code
     * target} against r down by the most any {@code k} added features can before normalisation, so for this linear
     * model it is the exact worst case of adding k new words or n-grams (the threat of good-word injection, Lowd and
     * Meek 2005). Returns {@code f} when nothing would lower the margin.
     */
    TextFeatures worstInjection(TextFeatures f, int target, int classes, int k) {
        if (k <= 0 || classes < 2 || target >= weights.size()) {
            return f;
        }
        double[] z = logits(f, classes);
        int rival = -1;
        for (int c = 0; c < classes && c < weights.size(); c++) {
            if (c != target && (rival < 0 || z[c] > z[rival])) {
                rival = c;
            }
        }
        if (rival < 0) {
            return f;
        }
        float[] own = weights.get(target);
        float[] other = weights.get(rival);
        int[] best = new int[k];
        float[] gain = new float[k];
        int held = 0;
        int weakest = 0;
        for (int b = 0; b < buckets; b++) {
            float d = other[b] - own[b];
            if (d <= 0 || (held == k && d <= gain[weakest])) {
                continue;
            }
            if (java.util.Arrays.binarySearch(f.wide, b) >= 0) {
                continue;
            }
            if (held < k) {
                best[held] = b;
                gain[held++] = d;
            } else {
                best[weakest] = b;
                gain[weakest] = d;
            }
            if (held == k) {
                weakest = 0;
                for (int i = 1; i < k; i++) {
                    if (gain[i] < gain[weakest]) {
                        weakest = i;
                    }
                }
            }
        }
        return held == 0 ? f : f.withAdded(java.util.Arrays.copyOf(best, held));
    }

    private void step(float[] w, float[] g2, int i, double g) {
        g2[i] = (float) (g2[i] + g * g);
        double v = w[i] - learningRate * g / (Math.sqrt(g2[i]) + EPS);
        w[i] = (float) Math.max(-CLIP, Math.min(CLIP, v));
    }

    /** Adds the state to {@code out} under {@code prefix}. */
    void export(String prefix, Map<String, TensorData> out) {
        out.put(prefix + "weights", Tensors.matrix(weights, buckets + 1));
        out.put(prefix + "squaredGradients", Tensors.matrix(squaredGradients, buckets + 1));
    }

    /** Restores the state written by {@link #export}. */
    void load(String prefix, Map<String, TensorData> in) {
        weights.clear();
        squaredGradients.clear();
        weights.addAll(Tensors.rows(in, prefix + "weights", buckets + 1));
        squaredGradients.addAll(Tensors.rows(in, prefix + "squaredGradients", buckets + 1));
    }
}
