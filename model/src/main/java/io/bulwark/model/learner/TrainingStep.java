package io.bulwark.model.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.Example;
import io.bulwark.model.StepResult;
import io.bulwark.model.continual.Replay;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.strategy.StepContext;
import io.bulwark.model.nn.HostReads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One training step of a {@link Learner} on a chunk of at most {@code batchSize} examples: prequential scoring
 * (by the mixture of experts when the continual parts are on), the wide side's update, replay, and one step of the
 * strategy on the network.
 */
final class TrainingStep {

    /** Probe examples scored per step to weigh the mixture's experts (when the probe is on). */
    static final int PROBE_DRAWS = 8;

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
            List<Example> labeledExamples = new ArrayList<>();
            for (Example e : chunk) {
                if (e.isLabeled()) {
                    labeledExamples.add(e);
                }
            }
            boolean useUnlabeled = learner.config.smartWeight() > 0 && learner.config.vatOnUnlabeled();
            // The probe (when on) withholds some labeled examples from all training and releases evicted ones.
            Replay.Admission admission = learner.replay == null ? new Replay.Admission(new boolean[labeled], List.of())
                    : learner.replay.admit(labeledExamples);
            List<Example> trainedLabeled = new ArrayList<>(labeledExamples.size());
            for (int i = 0; i < labeledExamples.size(); i++) {
                if (!admission.withheld()[i]) {
                    trainedLabeled.add(labeledExamples.get(i));
                }
            }
            trainedLabeled.addAll(admission.released());
            List<Example> train = new ArrayList<>();
            int next = 0;
            for (Example e : chunk) {
                if (e.isLabeled()) {
                    if (!admission.withheld()[next++]) {
                        train.add(e);
                    }
                } else if (useUnlabeled) {
                    train.add(e);
                }
            }
            train.addAll(admission.released());
            // Replayed examples (labels already known) join the training batch and are scored with the chunk.
            List<Example> replayed = learner.replay == null || train.isEmpty() ? List.of()
                    : learner.replay.draw(learner.replay.replayCount(train.size(), learner.config.batchSize()));
            List<Example> probed = learner.replay == null || labeled == 0 ? List.of()
                    : learner.replay.drawProbe(PROBE_DRAWS);
            int drawn = probed.size();
            if (!probed.isEmpty() && learner.continual != null && learner.config.continual().probeInjection()) {
                probed = ProbeInjection.withInjectedCopies(learner, probed,
                        learner.config.continual().probeInjectedWords());
            }
            // Scored rows: the chunk's labeled examples, released probe members, replayed ones, then probe draws
            // (with their injected copies).
            List<Example> scored = new ArrayList<>(labeledExamples);
            scored.addAll(admission.released());
            scored.addAll(replayed);
            scored.addAll(probed);
            Scoring scoring = new Scoring(labeledExamples, scored, admission, replayed.size(), probed.size() - drawn);
            // The labeled and replayed examples: scored before training and, unless unlabeled examples join the
            // training batch or the probe is on, exactly the training batch, so their inputs are built once. The scores stay on the
            // device until the step's single read at its end; the wide side, which needs them, runs after it.
            BatchInputs scoredInputs = null;
            int known = learner.labels.size();
            NDArray networkLogits = null;
            if (labeled > 0 && known > 0) {
                List<String> texts = new ArrayList<>();
                scored.forEach(e -> texts.add(e.text()));
                scoredInputs = new BatchInputs(learner.encoder.encode(texts), step);
                networkLogits = learner.evalLogits(scoredInputs, learner.params);
            }
            for (Example e : chunk) {
                if (e.isLabeled() && !learner.labelIndex.containsKey(e.label())) {
                    learner.addLabel(e.label());
                }
            }
            learner.examplesSeen += chunk.size();
            if (train.isEmpty() || learner.labels.isEmpty()) {
                float[] logits = networkLogits == null ? null : HostReads.floats(networkLogits);
                int correct = score(learner, scoring, logits, known);
                return new StepResult(chunk.size(), labeled, correct, 0.0, false, 0, 0, 0.0, 0.0);
            }
            if (learner.replay != null) {
                learner.replay.offer(trainedLabeled);
            }
            train.addAll(replayed);
            BatchInputs in;
            if (scoredInputs != null && train.equals(scored)) {
                in = scoredInputs;
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
            double returnedNorm = learner.strategy.step(ctx);
            learner.params.setRequiresGradient(true);
            NDArray drift = null;
            if (learner.teacher != null) {
                NDArray s = learner.sliceKnown(learner.network.forward(learner.params, in, null, null));
                NDArray t = learner.sliceKnown(learner.network.forward(learner.teacher, in, null, null));
                drift = Losses.symmetricKl(s, t);
            }
            // The step's one device-to-host read: loss, skips, perturbation norm, the scores and the drift.
            StepContext.Outcome outcome = ctx.finish(networkLogits, drift);
            float[] values = outcome.extra();
            int scores = networkLogits == null ? 0 : Math.toIntExact(networkLogits.size());
            float[] logits = networkLogits == null ? null : Arrays.copyOf(values, scores);
            int correct = score(learner, scoring, logits, known);
            learner.updates += outcome.updates();
            double deltaNorm = Double.isNaN(returnedNorm) ? outcome.perturbationNorm() : returnedNorm;
            return new StepResult(chunk.size(), labeled, correct, outcome.meanLoss(), outcome.skipped() > 0,
                    ctx.passes(), outcome.updates(), deltaNorm, drift == null ? 0.0 : values[scores]);
        }
    }

    /**
     * The rows scored in a step: the chunk's labeled examples (those the probe withheld are scored but not trained
     * on), released probe members, replayed examples, then probe draws (scored only).
     */
    private record Scoring(List<Example> labeledExamples, List<Example> scored, Replay.Admission admission,
                           int replayed, int copies) {}

    /**
     * Prequential correctness of the chunk's labeled examples: the mixture's predictions when the continual parts
     * are on (which also trains the wide side), else the network's argmax over {@code networkLogits}.
     */
    private static int score(Learner learner, Scoring s, float[] networkLogits, int known) {
        int labeled = s.labeledExamples().size();
        int[] predicted = learner.continual != null && labeled > 0
                ? trainContinual(learner, s, networkLogits, known)
                : networkLogits == null ? new int[0] : Learner.argmax(networkLogits, known);
        int correct = 0;
        for (int i = 0; i < labeled && i < predicted.length; i++) {
            if (predicted[i] >= 0 && predicted[i] == learner.labelIndex.get(s.labeledExamples().get(i).label())) {
                correct++;
            }
        }
        return correct;
    }

    /** The wide side's test-then-train step on the scored rows; returns the mixture's predictions. */
    private static int[] trainContinual(Learner learner, Scoring s, float[] networkLogits, int known) {
        List<Example> scored = s.scored();
        List<String> texts = new ArrayList<>(scored.size());
        int[] targets = new int[scored.size()];
        float[] weights = new float[scored.size()];
        int chunkLabeled = s.admission().withheld().length;
        int stream = chunkLabeled + s.admission().released().size();
        int replayEnd = stream + s.replayed();
        for (int i = 0; i < targets.length; i++) {
            Example e = scored.get(i);
            texts.add(e.text());
            targets[i] = learner.labelIndex.get(e.label());
            boolean trains = i < chunkLabeled ? !s.admission().withheld()[i] : i < replayEnd;
            weights[i] = trains ? e.weight() : 0f;
        }
        return learner.continual.testThenTrain(texts, targets, weights, stream, replayEnd, scored.size() - s.copies(),
                networkLogits, known, learner.labels.size());
    }
}
