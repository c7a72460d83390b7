package io.bulwark.model.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.encoding.Tokenizer;
import io.bulwark.model.nn.Autograd;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.Losses;
import java.util.List;
import java.util.Set;

/**
 * HotFlip's first-order estimate (Ebrahimi et al., 2018) over the hashed vocabulary: the gradient of the network's
 * loss with respect to the word vectors of a text ranks every (position, candidate word) substitution by
 * {@code g_i · (e(w) - e_i)}, the loss increase to first order, with one backward pass for the whole ranking.
 */
final class FirstOrderFlips {

    private FirstOrderFlips() {}

    /** The best substitution of one text, or null when no word position can be changed. */
    static Learner.Flip best(Learner learner, String text, String label, List<String> candidates,
                             Set<Integer> frozen) {
        learner.ensureOpen();
        Integer target = learner.labelIndex.get(label);
        if (target == null || candidates.isEmpty()) {
            return null;
        }
        List<Tokenizer.Token> tokens = learner.encoder.tokens(text);
        int c = learner.labels.size();
        try (NDManager step = learner.manager.newSubManager()) {
            BatchInputs in = new BatchInputs(learner.encoder.encode(List.of(text)), step);
            int length = in.length();
            NDArray delta = step.zeros(new Shape(1, length, learner.config.embeddingDim()));
            delta.setRequiresGradient(true);
            float[] oneHot = new float[c];
            oneHot[target] = 1f;
            learner.params.setRequiresGradient(false);
            NDArray g;
            try {
                Autograd.backward(() -> Losses.crossEntropy(
                        learner.sliceKnown(learner.network.forward(learner.params, in, delta, null)),
                        step.create(oneHot, new Shape(1, c)), step.ones(new Shape(1)), 1f));
            } finally {
                learner.params.setRequiresGradient(true);
            }
            g = delta.getGradient().reshape(length, -1);
            NDArray words = learner.network.embed(learner.params, in).reshape(length, -1);
            BatchInputs cand = new BatchInputs(learner.encoder.encode(candidates), step);
            NDArray candVectors = learner.network.embed(learner.params, cand).get(new NDIndex(":, 0, :"));
            // gain[i, k] = g_i · e(w_k) - g_i · e_i
            NDArray gain = g.matMul(candVectors.transpose()).sub(g.mul(words).sum(new int[] {1}).reshape(length, 1));
            float[] v = HostReads.floats(gain);
            int k = candidates.size();
            Learner.Flip best = null;
            for (int i = 0; i < Math.min(length, tokens.size()); i++) {
                if (!tokens.get(i).word() || frozen.contains(i)) {
                    continue;
                }
                for (int j = 0; j < k; j++) {
                    float score = v[i * k + j];
                    if (!candidates.get(j).equals(tokens.get(i).text()) && (best == null || score > best.gain())) {
                        best = new Learner.Flip(i, tokens.get(i).text(), candidates.get(j), score);
                    }
                }
            }
            return best;
        }
    }

    /** The network's cross-entropy on one text (evaluation mode). */
    static double loss(Learner learner, String text, String label) {
        learner.ensureOpen();
        Integer target = learner.labelIndex.get(label);
        if (target == null) {
            return Double.NaN;
        }
        return -LearnerEvaluation.logSoftmax(learner.logits(List.of(text))[0], null)[target];
    }
}
