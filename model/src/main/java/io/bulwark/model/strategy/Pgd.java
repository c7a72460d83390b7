package io.bulwark.model.strategy;

import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.Perturbations;
import ai.djl.ndarray.NDArray;
import io.bulwark.model.LearnerConfig;

/**
 * PGD adversarial training, Madry et al. 2018, "Towards Deep Learning Models Resistant to Adversarial Attacks",
 * in word-embedding space: delta starts at a random point of the eps-ball, takes K projected ascent steps on the task
 * loss (sign steps for LINF, normalised steps for L2) with the parameters frozen, and the parameters are then updated
 * once on the loss at x + delta: K + 1 passes, one update.
 */
public final class Pgd implements TrainingStrategy {

    private final LearnerConfig config;

    /** PGD-K with the configuration's K, norm, epsilon and alpha. */
    public Pgd(LearnerConfig config) {
        this.config = config;
    }

    @Override
    public double step(StepContext ctx) {
        NDArray delta = Perturbations.randomInBall(ctx.manager(), ctx.rng(), ctx.inputs(), config.embeddingDim(),
                config.norm(), ctx.epsilon());
        for (int k = 0; k < config.steps(); k++) {
            PassResult r = ctx.ascentPass(delta);
            // A non-finite gradient keeps the last finite delta (on the device); the update pass decides about
            // skipping.
            delta = Perturbations.keepIfFinite(r.deltaGradient(), Perturbations.project(
                    delta.add(Perturbations.ascentStep(r.deltaGradient(), config.norm(), ctx.alpha(), true)),
                    config.norm(), ctx.epsilon()), delta);
            ctx.listener().onDeltaUpdated(ctx.passes() - 1, delta);
        }
        ctx.prepareRegularizers();
        PassResult r = ctx.trainingPass(delta, false, true);
        ctx.update(r.lossArray(), 1.0);
        return ctx.recordPerturbation(delta);
    }
}
