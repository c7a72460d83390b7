package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;

/** Loss functions on logits. */
public final class Losses {

    private Losses() {}

    /**
     * Weighted mean cross-entropy: sum_i w_i * CE(logits_i, y_i) / sum_i w_i, with one-hot targets [B, C] and
     * weights [B] (0 for unlabeled rows). Returns a differentiable zero when the weights sum to 0.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray oneHot, NDArray weights, float weightSum) {
        NDArray nll = logits.logSoftmax(-1).mul(oneHot).sum(new int[] {1}).neg();
        if (weightSum <= 0f) {
            return Scalars.mul(nll, 0f).sum();
        }
        return Scalars.div(nll.mul(weights).sum(), weightSum);
    }

    /** Per-example symmetric KL divergence KL(p||q) + KL(q||p) between softmax(a) and softmax(b), shape [B]. */
    public static NDArray symmetricKlPerExample(NDArray a, NDArray b) {
        NDArray la = a.logSoftmax(-1);
        NDArray lb = b.logSoftmax(-1);
        return la.exp().sub(lb.exp()).mul(la.sub(lb)).sum(new int[] {1});
    }

    /** Mean symmetric KL divergence between softmax(a) and softmax(b). */
    public static NDArray symmetricKl(NDArray a, NDArray b) {
        return symmetricKlPerExample(a, b).mean();
    }
}
