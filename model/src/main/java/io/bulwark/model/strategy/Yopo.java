package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.nn.Perturbations;
import io.bulwark.model.nn.Scalars;

/**
 * YOPO-m-n, Zhang et al. 2019, "You Only Propagate Once: Accelerating Adversarial Training via Maximal Principle",
 * in word-embedding space. Delta starts at a random point of the eps-ball. Each of m full passes
 * ({@link StepContext#adjointPass}) accumulates the parameter gradients and yields the adjoint p at the first layer's
 * output; delta then takes n projected ascent steps along the gradient of p · f0(x + delta), each a forward and
 * backward of the first layer only ({@link StepContext#firstLayerDeltaGradient}). The first of them reuses the full
 * pass's delta gradient, which is exactly that gradient. One update with the mean of the m passes' gradients ends
 * the step: m full passes, m * (n - 1) first-layer passes, one update.
 *
 * <p>For the pooled encoder f0 is linear in delta (mean pooling, then the dense layer before its activation), so the
 * adjoint's gradient does not change with delta and the n steps move along one direction; for the Transformer f0 is
 * its first block, and the n steps follow its curvature.
 */
public final class Yopo implements TrainingStrategy {

    private final LearnerConfig config;

    /** YOPO-m-n with the configuration's m (steps), n (innerSteps), norm, epsilon and alpha. */
    public Yopo(LearnerConfig config) {
        this.config = config;
    }

    @Override
    public double step(StepContext ctx) {
        int m = config.steps();
        NDArray delta = Perturbations.randomInBall(ctx.manager(), ctx.rng(), ctx.inputs(), config.embeddingDim(),
                config.norm(), ctx.epsilon());
        boolean isolate = ctx.listener().isolatePassGradients();
        ctx.prepareRegularizers();
        NDArray lossSum = null;
        for (int i = 0; i < m; i++) {
            StepContext.AdjointPass full = ctx.adjointPass(delta, i == 0 || isolate);
            lossSum = lossSum == null ? full.lossArray() : lossSum.add(full.lossArray());
            if (i == m - 1) {
                break; // the last full pass's delta steps would not be used
            }
            NDArray g = full.deltaGradient();
            for (int j = 0; j < config.adversary().innerSteps(); j++) {
                if (j > 0) {
                    g = ctx.firstLayerDeltaGradient(full.adjoint(), delta);
                }
                // A non-finite gradient leaves delta as it was, decided on the device.
                delta = Perturbations.keepIfFinite(g, Perturbations.project(
                        delta.add(Perturbations.ascentStep(g, config.norm(), ctx.alpha(), true)),
                        config.norm(), ctx.epsilon()), delta);
                ctx.listener().onDeltaUpdated(ctx.passes() - 1, delta);
            }
        }
        ctx.update(Scalars.div(lossSum, m), isolate ? 1.0 : 1.0 / m);
        return ctx.recordPerturbation(delta);
    }
}
