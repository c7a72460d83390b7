package io.bulwark.model.strategy;

import io.bulwark.model.nn.PassResult;

/** Standard empirical risk minimisation: one clean forward/backward pass and one update per batch. */
public final class NaturalTraining implements TrainingStrategy {

    @Override
    public double step(StepContext ctx) {
        ctx.prepareRegularizers();
        PassResult r = ctx.trainingPass(null, false, true);
        ctx.update(r.lossArray(), 1.0);
        return 0.0;
    }
}
