package io.bulwark.model.strategy;

import io.bulwark.model.nn.Select;
import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.Perturbations;
import ai.djl.ndarray.NDArray;
import io.bulwark.model.nn.Scalars;
import io.bulwark.model.LearnerConfig;

/**
 * FreeLB, Zhu et al. 2020, "FreeLB: Enhanced Adversarial Training for Natural Language Understanding": delta starts
 * as uniform noise on real tokens (magnitude {@code initMagnitude}, divided by sqrt(length * dim) for L2), takes K
 * ascent steps with normalised gradients and projection onto the eps-ball, and the parameter gradients of the K
 * passes are accumulated and divided by K before ONE update. Dropout masks are fixed across the K passes.
 */
public final class FreeLb implements TrainingStrategy {

    private final LearnerConfig config;

    /** FreeLB-K with the configuration's K, norm, epsilon, alpha and init magnitude. */
    public FreeLb(LearnerConfig config) {
        this.config = config;
    }

    @Override
    public double step(StepContext ctx) {
        int k = config.steps();
        NDArray delta = Perturbations.freeLbInit(ctx.manager(), ctx.rng(), ctx.inputs(), config.embeddingDim(),
                config.norm(), ctx.initMagnitude());
        boolean isolate = ctx.listener().isolatePassGradients();
        ctx.prepareRegularizers();
        NDArray lossSum = null;
        for (int i = 0; i < k; i++) {
            // Gradients accumulate over the K passes (zeroed only before the first one).
            PassResult r = ctx.trainingPass(delta, i < k - 1, i == 0 || isolate);
            lossSum = lossSum == null ? r.lossArray() : lossSum.add(r.lossArray());
            if (i < k - 1) {
                // A non-finite delta gradient makes the loss NaN, so the update is skipped (decided on the device).
                NDArray finite = Perturbations.finiteFlag(r.deltaGradient());
                lossSum = Select.where(finite, lossSum, Scalars.of(lossSum, Float.NaN));
                delta = Select.where(finite, Perturbations.project(
                        delta.add(Perturbations.ascentStep(r.deltaGradient(), config.norm(), ctx.alpha(), false)),
                        config.norm(), ctx.epsilon()), delta);
                ctx.listener().onDeltaUpdated(ctx.passes() - 1, delta);
            }
        }
        ctx.update(Scalars.div(lossSum, k), isolate ? 1.0 : 1.0 / k);
        return ctx.recordPerturbation(delta);
    }
}
