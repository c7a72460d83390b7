package io.bulwark.model.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.Prediction;
import io.bulwark.model.eval.RobustnessEvaluator;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.SeededRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Inference and evaluation of a {@link Learner}: predictions, logits, clean and robust accuracy, drift. */
final class LearnerEvaluation {

    private static final int EVAL_CHUNK = 128;
    private static final long ATTACK_SEED_SALT = 0x5DEECE66DL;

    private LearnerEvaluation() {}

    /** Predicts each text (evaluation mode, no dropout), restricted to the known labels. */
    static List<Prediction> predict(Learner learner, List<String> texts) {
        learner.ensureOpen();
        return InferenceModel.predict(new InferenceModel.Parts(learner.manager, learner.network, learner.encoder,
                learner.params, learner.continual, learner.labels, learner.config.outputSize()), texts);
    }

    /** Raw logits over the known labels, for tests and diagnostics. */
    static float[][] logits(Learner learner, List<String> texts) {
        learner.ensureOpen();
        float[][] out = new float[texts.size()][];
        int c = Math.max(learner.labels.size(), 1);
        for (int from = 0; from < texts.size(); from += EVAL_CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + EVAL_CHUNK));
            try (NDManager step = learner.manager.newSubManager()) {
                BatchInputs in = new BatchInputs(learner.encoder.encode(chunk), step);
                NDArray l = learner.labels.isEmpty() ? learner.network.forward(learner.params, in, null, null)
                        : learner.evalLogits(in, learner.params);
                int width = Math.toIntExact(l.getShape().get(1));
                float[] v = l.toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    out[from + i] = Arrays.copyOfRange(v, i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    /**
     * Clean accuracy, loss, and (when {@code attack} is not null) robust accuracy under a white-box embedding-space
     * PGD attack. Unlabeled examples are ignored; examples whose label was never learned count as wrong.
     */
    static Evaluation evaluate(Learner learner, List<Example> labeled, PgdAttack attack) {
        learner.ensureOpen();
        List<Example> examples = new ArrayList<>();
        for (Example e : labeled) {
            if (e.isLabeled()) {
                examples.add(e);
            }
        }
        String name = attack == null ? "none" : attack.name();
        if (examples.isEmpty()) {
            return new Evaluation(0, Double.NaN, Double.NaN, Double.NaN, name);
        }
        if (learner.labels.isEmpty()) {
            return new Evaluation(examples.size(), 0.0, attack == null ? Double.NaN : 0.0, Double.NaN, name);
        }
        SeededRandom attackRng = new SeededRandom(learner.config.seed() ^ ATTACK_SEED_SALT);
        RobustnessEvaluator evaluator =
                new RobustnessEvaluator(learner.network, learner.params, learner.config, learner.labels.size());
        RobustnessEvaluator.Totals totals = new RobustnessEvaluator.Totals();
        try {
            for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
                List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + EVAL_CHUNK));
                List<String> texts = new ArrayList<>();
                int[] targets = new int[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    texts.add(chunk.get(i).text());
                    targets[i] = learner.labelIndex.getOrDefault(chunk.get(i).label(), -1);
                }
                try (NDManager step = learner.manager.newSubManager()) {
                    evaluator.evaluate(new BatchInputs(learner.encoder.encode(texts), step), targets, attack, attackRng,
                            step, totals);
                }
            }
        } finally {
            learner.params.setRequiresGradient(true);
        }
        int n = examples.size();
        return new Evaluation(n, totals.clean / (double) n,
                attack == null ? Double.NaN : totals.robust / (double) n,
                totals.lossCount == 0 ? Double.NaN : totals.lossSum / totals.lossCount, name,
                totals.adversarialLossCount == 0 ? Double.NaN
                        : totals.adversarialLossSum / totals.adversarialLossCount);
    }

    /** Mean symmetric KL between the student and the EMA teacher on {@code examples}; 0 without a teacher. */
    static double embeddingRms(Learner learner, List<String> texts) {
        learner.ensureOpen();
        if (texts.isEmpty()) {
            return Double.NaN;
        }
        try (NDManager step = learner.manager.newSubManager()) {
            BatchInputs in = new BatchInputs(learner.encoder.encode(texts), step);
            NDArray scale = Network.embeddingScale(learner.network.embed(learner.params, in), in);
            return scale.getFloat() * Network.EMBEDDING_INIT_STD;
        }
    }

    static double teacherDriftKl(Learner learner, List<Example> examples) {
        learner.ensureOpen();
        if (learner.teacher == null || learner.labels.isEmpty() || examples.isEmpty()) {
            return 0.0;
        }
        double sum = 0;
        for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + EVAL_CHUNK));
            List<String> texts = new ArrayList<>();
            chunk.forEach(e -> texts.add(e.text()));
            try (NDManager step = learner.manager.newSubManager()) {
                BatchInputs in = new BatchInputs(learner.encoder.encode(texts), step);
                NDArray s = learner.evalLogits(in, learner.params);
                NDArray t = learner.evalLogits(in, learner.teacher);
                sum += Losses.symmetricKlPerExample(s, t).sum().getFloat();
            }
        }
        return sum / examples.size();
    }

    /**
     * Mean symmetric KL between this model's and {@code other}'s predictive distributions on {@code examples}.
     *
     * @throws IllegalArgumentException if the two models do not know the same labels
     */
    static double driftKl(Learner learner, Learner other, List<Example> examples) {
        learner.ensureOpen();
        Objects.requireNonNull(other, "other");
        if (!new java.util.HashSet<>(learner.labels).equals(new java.util.HashSet<>(other.labels))) {
            throw new IllegalArgumentException("Models know different labels: " + learner.labels + " vs "
                    + other.labels);
        }
        if (learner.labels.isEmpty() || examples.isEmpty()) {
            return 0.0;
        }
        List<String> texts = new ArrayList<>();
        examples.forEach(e -> texts.add(e.text()));
        float[][] a = learner.logits(texts);
        float[][] b = other.logits(texts);
        int c = learner.labels.size();
        int[] map = new int[c];
        for (int j = 0; j < c; j++) {
            map[j] = other.labelIndex.get(learner.labels.get(j));
        }
        double sum = 0;
        for (int i = 0; i < texts.size(); i++) {
            double[] la = logSoftmax(a[i], null);
            double[] lb = logSoftmax(b[i], map);
            for (int j = 0; j < c; j++) {
                sum += (Math.exp(la[j]) - Math.exp(lb[j])) * (la[j] - lb[j]);
            }
        }
        return sum / texts.size();
    }

    /** Log-softmax of {@code v}, its entries taken in {@code order} (null: as they are). */
    static double[] logSoftmax(float[] v, int[] order) {
        int c = order == null ? v.length : order.length;
        double[] x = new double[c];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            x[j] = v[order == null ? j : order[j]];
            max = Math.max(max, x[j]);
        }
        double s = 0;
        for (int j = 0; j < c; j++) {
            s += Math.exp(x[j] - max);
        }
        double lse = max + Math.log(s);
        for (int j = 0; j < c; j++) {
            x[j] -= lse;
        }
        return x;
    }
}
