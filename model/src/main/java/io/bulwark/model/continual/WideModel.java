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
