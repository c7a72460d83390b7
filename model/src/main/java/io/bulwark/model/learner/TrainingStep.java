package io.bulwark.model.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.Example;
import io.bulwark.model.StepResult;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.strategy.StepContext;
import java.util.ArrayList;
import java.util.List;

/** One training step of a {@link Learner} on a chunk of at most {@code batchSize} examples. */
final class TrainingStep {

    private TrainingStep() {}

    /** Scores the chunk prequentially, learns its new labels, then takes one step of the strategy on it. */
    static StepResult run(Learner learner, List<Example> chunk) {
        int labeled = 0;
        for (Example e : chunk) {
            if (e.isLabeled()) {
                labeled++;
            }
        }
        try (NDManager step = learner.manager.newSubManager()) {
            int correct = 0;
            // The labeled examples in chunk order: scored before training and, unless unlabeled examples join the
            // training batch, exactly the training batch, so their inputs are built once.
            BatchInputs labeledInputs = null;
            if (labeled > 0 && !learner.labels.isEmpty()) {
                List<String> texts = new ArrayList<>();
                List<String> truth = new ArrayList<>();
                for (Example e : chunk) {
                    if (e.isLabeled()) {
                        texts.add(e.text());
                        truth.add(e.label());
                    }
                }
                labeledInputs = new BatchInputs(learner.encoder.encode(texts), step);
                int[] predicted =
                        Learner.argmax(learner.evalLogits(labeledInputs, learner.params), learner.labels.size());
                for (int i = 0; i < predicted.length; i++) {
                    Integer idx = learner.labelIndex.get(truth.get(i));
                    if (idx != null && idx == predicted[i]) {
                        correct++;
                    }
                }
            }
            for (Example e : chunk) {
                if (e.isLabeled() && !learner.labelIndex.containsKey(e.label())) {
                    learner.addLabel(e.label());
                }
            }
            learner.examplesSeen += chunk.size();
            boolean useUnlabeled = learner.config.smartWeight() > 0 && learner.config.vatOnUnlabeled();
            List<Example> train = new ArrayList<>();
            for (Example e : chunk) {
                if (e.isLabeled() || useUnlabeled) {
                    train.add(e);
                }
            }
            if (train.isEmpty() || learner.labels.isEmpty()) {
                return new StepResult(chunk.size(), labeled, correct, 0.0, false, 0, 0, 0.0, 0.0);
            }
            BatchInputs in;
            if (labeledInputs != null && train.size() == labeled) {
                in = labeledInputs;
            } else {
                List<String> texts = new ArrayList<>(train.size());
                for (Example e : train) {
                    texts.add(e.text());
                }
                in = new BatchInputs(learner.encoder.encode(texts), step);
            }
            int b = train.size();
            int c = learner.labels.size();
            float[] oneHot = new float[b * c];
            float[] weights = new float[b];
            float weightSum = 0f;
            for (int i = 0; i < b; i++) {
                Example e = train.get(i);
                if (e.isLabeled()) {
                    oneHot[i * c + learner.labelIndex.get(e.label())] = 1f;
                    weights[i] = e.weight();
                    weightSum += e.weight();
                }
            }
            DropoutMasks dropout = new DropoutMasks(learner.rng, learner.config.dropout(), step);
            StepContext ctx = StepContext.builder(learner.config, learner.network, step)
                    .setParams(learner.params)
                    .optTeacher(learner.teacher)
                    .setOptimizer(learner.optimizer)
                    .optRegularizers(learner.regularizers)
                    .setBatch(in, step.create(oneHot, new Shape(b, c)), step.create(weights), weightSum, c)
                    .setDropout(dropout)
                    .setRng(learner.rng)
                    .optListener(learner.listener)
                    .optRadiusScale(learner.config.rampFactor(learner.examplesSeen))
                    .build();
            double deltaNorm = learner.strategy.step(ctx);
            learner.params.setRequiresGradient(true);
            learner.updates += ctx.updates();
            double drift = 0.0;
            if (learner.teacher != null) {
                NDArray s = learner.sliceKnown(learner.network.forward(learner.params, in, null, null));
                NDArray t = learner.sliceKnown(learner.network.forward(learner.teacher, in, null, null));
                drift = Losses.symmetricKl(s, t).getFloat();
            }
            return new StepResult(chunk.size(), labeled, correct, ctx.meanLoss(), ctx.skipped() > 0, ctx.passes(),
                    ctx.updates(), deltaNorm, drift);
        }
    }
}
