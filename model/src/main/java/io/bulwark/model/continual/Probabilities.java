package io.bulwark.model.continual;

/** Softmax and argmax over small score vectors. */
final class Probabilities {
    private Probabilities() {}

    /** Softmax of {@code z}; entries of -Infinity get probability 0; uniform if all are -Infinity. */
    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        if (max == Double.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(p, 1.0 / Math.max(1, z.length));
            return p;
        }
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = z[i] == Double.NEGATIVE_INFINITY ? 0 : StrictMath.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The index of the largest entry, the first one on ties. */
    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
