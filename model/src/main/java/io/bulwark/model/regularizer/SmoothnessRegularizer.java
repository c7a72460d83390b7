package io.bulwark.model.regularizer;

import ai.djl.ndarray.NDArray;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.Scalars;
import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.Perturbations;


/**
 * SMART's smoothness-inducing adversarial regulariser, Jiang et al. 2020, "SMART: Robust and Efficient Fine-Tuning
 * for Pre-trained Natural Language Models through Principled Regularized Optimization":
 * {@code lambda_s * symKL(f(x + delta), f(x))}, with delta found by K normalised ascent steps on the symmetric KL
 * from a small Gaussian start (f(x) held fixed as the target during the search), projected onto the configured
 * eps-ball.
 *
 * <p>The term needs no label, so with {@code vatOnUnlabeled} unlabeled examples join the batch and train only
 * through it: virtual adversarial training (Miyato et al. 2018) as used by ALUM (Liu et al. 2020).
 */
public final class SmoothnessRegularizer implements Regularizer {

    /** Standard deviation of the start, relative to epsilon. */
    public static final double INIT_STD_FRACTION = 0.1;

    private final LearnerConfig config;
    private NDArray delta;

    /** The term with the configuration's weight, steps, norm, epsilon and alpha. */
    public SmoothnessRegularizer(LearnerConfig config) {
        this.config = config;
    }

    @Override
    public void prepare(RegularizerContext ctx) {
        // Target f(x): computed outside any collector, so it is a constant of the search.
        NDArray target = ctx.logits(ctx.params(), null, true);
        NDArray d = Perturbations.gaussianNoise(ctx.manager(), ctx.rng(), ctx.inputs(), config.embeddingDim(),
                INIT_STD_FRACTION * ctx.epsilon());
        for (int k = 0; k < config.smartSteps(); k++) {
            PassResult r = ctx.pass(d, true, false, false, logits -> Losses.symmetricKl(logits, target));
            // A non-finite gradient leaves d as it is (decided on the device, without a host read).
            d = Perturbations.keepIfFinite(r.deltaGradient(), Perturbations.project(
                    d.add(Perturbations.ascentStep(r.deltaGradient(), config.norm(), ctx.alpha(), false)),
                    config.norm(), ctx.epsilon()), d);
        }
        delta = d;
    }

    @Override
    public NDArray term(RegularizerContext ctx) {
        if (delta == null) {
            throw new IllegalStateException("SmoothnessRegularizer.term called before prepare");
        }
        NDArray perturbed = ctx.logits(ctx.params(), delta, true);
        return Scalars.mul(Losses.symmetricKl(perturbed, ctx.studentCleanLogits()), (float) config.smartWeight());
    }
}
