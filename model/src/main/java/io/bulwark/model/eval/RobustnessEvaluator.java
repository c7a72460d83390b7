package io.bulwark.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.nn.Autograd;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.nn.Perturbations;

/**
 * Clean and robust accuracy under a white-box PGD attack in word-embedding space (Madry et al. 2018): for each
 * restart, delta starts at a random point of the eps-ball and takes {@code steps} projected ascent steps on the
 * cross-entropy (sign steps for LINF, normalised steps for L2) with the model in evaluation mode. An example counts
 * as robust only if it is classified right on the clean input and after every restart.
 */
public final class RobustnessEvaluator {

    /** Running sums over chunks. */
    public static final class Totals {
        /** Examples classified right on the clean input. */
        public int clean;
        /** Examples classified right on the clean input and under every restart. */
        public int robust;
        /** Sum of clean cross-entropies over examples with a known label. */
        public double lossSum;
        /** Examples with a known label. */
        public int lossCount;
        /** Sum over examples with a known label of the largest cross-entropy the attack reached (over restarts). */
        public double adversarialLossSum;
        /** Examples with a known label that were attacked. */
        public int adversarialLossCount;
    }

    private final Network network;
    private final Parameters params;
    private final LearnerConfig config;
    private final int numLabels;

    /** An evaluator of {@code params} over the first {@code numLabels} outputs. */
    public RobustnessEvaluator(Network network, Parameters params, LearnerConfig config, int numLabels) {
        this.network = network;
        this.params = params;
        this.config = config;
        this.numLabels = numLabels;
    }

    /**
     * Evaluates one chunk; {@code targets[i]} is the label index or -1 for a label the model never learned.
     * Leaves the parameters' gradient collection switched off; the caller switches it back.
     */
    public void evaluate(BatchInputs in, int[] targets, PgdAttack attack, SeededRandom rng, NDManager step,
                         Totals totals) {
        int b = in.size();
        float[] oneHot = new float[b * numLabels];
        float[] weights = new float[b];
        float known = 0;
        for (int i = 0; i < b; i++) {
            if (targets[i] >= 0) {
                oneHot[i * numLabels + targets[i]] = 1f;
                weights[i] = 1f;
                known++;
            }
        }
        NDArray y = step.create(oneHot, new Shape(b, numLabels));
        NDArray w = step.create(weights);
        NDArray clean = logits(in, null);
        float[] perExample = HostReads.floats(clean.logSoftmax(-1).mul(y).sum(new int[] {1}).neg());
        for (int i = 0; i < b; i++) {
            if (targets[i] >= 0) {
                totals.lossSum += perExample[i];
                totals.lossCount++;
            }
        }
        boolean[] ok = correct(clean, targets);
        for (boolean c : ok) {
            if (c) {
                totals.clean++;
            }
        }
        if (attack != null && known > 0) {
            double[] worstLoss = new double[b];
            java.util.Arrays.fill(worstLoss, Double.NEGATIVE_INFINITY);
            params.setRequiresGradient(false);
            for (int r = 0; r < attack.restarts(); r++) {
                NDArray delta = Perturbations.randomInBall(step, rng, in, config.embeddingDim(), attack.norm(),
                        attack.epsilon());
                for (int s = 0; s < attack.steps(); s++) {
                    NDArray next;
                    // Every array of one attack step (the forward pass's intermediates, the gradient) is closed
                    // when the step ends; only the next delta survives. Without the scope a transformer's
                    // intermediates of all steps and restarts stay alive until the chunk is done: gigabytes.
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        delta.setRequiresGradient(true);
                        NDArray current = delta;
                        float weightSum = known;
                        Autograd.backward(() -> Losses.crossEntropy(logits(in, current), y, w, weightSum));
                        NDArray g = delta.getGradient();
                        if (!Perturbations.isFinite(g)) {
                            break;
                        }
                        next = Perturbations.project(
                                delta.add(Perturbations.ascentStep(g, attack.norm(), attack.alpha(), true)),
                                attack.norm(), attack.epsilon());
                        NDScope.unregister(next);
                    }
                    delta.close();
                    delta = next;
                }
                boolean[] adv = correct(logits(in, delta), targets, worstLoss);
                for (int i = 0; i < b; i++) {
                    ok[i] &= adv[i];
                }
            }
            for (int i = 0; i < b; i++) {
                if (targets[i] >= 0 && Double.isFinite(worstLoss[i])) {
                    totals.adversarialLossSum += worstLoss[i];
                    totals.adversarialLossCount++;
                }
            }
        }
        if (attack != null) {
            for (boolean c : ok) {
                if (c) {
                    totals.robust++;
                }
            }
        }
    }

    /** The cross-entropy of label {@code target} under the logits {@code v[from .. from + numLabels)}. */
    private double crossEntropy(float[] v, int from, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < numLabels; j++) {
            max = Math.max(max, v[from + j]);
        }
        double sum = 0;
        for (int j = 0; j < numLabels; j++) {
            sum += Math.exp(v[from + j] - max);
        }
        return max + Math.log(sum) - v[from + target];
    }

    private NDArray logits(BatchInputs in, NDArray delta) {
        NDArray out = network.forward(params, in, delta, null);
        if (numLabels < config.outputSize()) {
            out = out.get(new NDIndex(":, 0:{}", numLabels));
        }
        return out;
    }

    private boolean[] correct(NDArray logits, int[] targets) {
        return correct(logits, targets, null);
    }

    /**
     * Whether each example is classified right; with {@code worstLoss}, also raises each of its entries to the
     * example's cross-entropy, computed from the same host copy of the logits (no further device read).
     */
    private boolean[] correct(NDArray logits, int[] targets, double[] worstLoss) {
        float[] v = HostReads.floats(logits);
        boolean[] out = new boolean[targets.length];
        for (int i = 0; i < targets.length; i++) {
            if (worstLoss != null && targets[i] >= 0) {
                worstLoss[i] = Math.max(worstLoss[i], crossEntropy(v, i * numLabels, targets[i]));
            }
            int best = 0;
            for (int j = 1; j < numLabels; j++) {
                if (v[i * numLabels + j] > v[i * numLabels + best]) {
                    best = j;
                }
            }
            out[i] = targets[i] >= 0 && best == targets[i];
        }
        return out;
    }
}
