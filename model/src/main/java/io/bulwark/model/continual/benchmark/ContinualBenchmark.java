package io.bulwark.model.continual.benchmark;

import io.bulwark.model.continual.ContinualHead;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.Prediction;
import io.bulwark.model.StepResult;
import io.bulwark.model.baseline.NaiveBayes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The continual-learning benchmark: runs a learner configuration (or naive Bayes) over a {@link ContinualStream}
 * test-then-train and measures prequential accuracy, the cold start (first {@value #COLD_START} events), held-out
 * accuracy per class after every era, and forgetting per class.
 *
 * <p>Forgetting of a class is the largest drop of its held-out accuracy from any era's end to the end of the run:
 * {@code max_e acc_c(e) - acc_c(final)}, 0 when the class never did better than at the end.
 *
 * <p>{@code RunResult r = new ContinualBenchmark(32).run(ContinualStream.of("original", 1, 150, 0), config);}
 */
public final class ContinualBenchmark {
    /** Events of the cold start. */
    public static final int COLD_START = 200;

    private final int batchSize;

    /** A benchmark that feeds the stream in batches of {@code batchSize}. */
    public ContinualBenchmark(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * The measurements of one run.
     *
     * @param prequential accuracy of predictions made before training on each event
     * @param coldStart prequential accuracy over the first {@value #COLD_START} events
     * @param heldOut held-out accuracy per class after the run
     * @param eras held-out accuracy per class after each era
     * @param forgetting forgetting per class
     * @param experts the mixture's experts' prequential accuracies (empty without the wide side)
     * @param expertHeldOut each expert's held-out accuracy per class after the run (empty without the wide side)
     * @param seconds wall-clock time of the run
     */
    public record RunResult(double prequential, double coldStart, Map<String, Double> heldOut,
                            List<Map<String, Double>> eras, Map<String, Double> forgetting,
                            Map<String, Double> experts, Map<String, Map<String, Double>> expertHeldOut,
                            double seconds) {

        /** Mean forgetting over the classes. */
        public double meanForgetting() {
            return forgetting.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        /** The lowest held-out accuracy of any class. */
        public double worstClass() {
            return heldOut.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }
    }

    /** Runs a learner with {@code config}, its labels fixed to the stream's. */
    public RunResult run(ContinualStream stream, LearnerConfig config) {
        LearnerConfig fixed = config.toBuilder().optLabels(stream.labels()).build();
        try (Learner learner = Learner.create(fixed)) {
            return run(stream, new Model() {
                @Override
                public int testThenTrain(List<Example> batch) {
                    StepResult r = learner.train(batch);
                    return r.correctBeforeUpdate();
                }

                @Override
                public List<String> predict(List<String> texts) {
                    List<String> out = new ArrayList<>();
                    for (Prediction p : learner.predict(texts)) {
                        out.add(p.label());
                    }
                    return out;
                }

                @Override
                public Map<String, Double> experts() {
                    return learner.continualHead().map(ContinualHead::expertAccuracies).orElse(Map.of());
                }

                @Override
                public Map<String, Map<String, Double>> expertHeldOut(ContinualStream s) {
                    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
                    if (learner.continualHead().isEmpty()) {
                        return out;
                    }
                    List<String> texts = new ArrayList<>();
                    s.heldOut().forEach(e -> texts.add(e.text()));
                    float[][] rows = learner.logits(texts);
                    int c = learner.labels().size();
                    float[] flat = new float[texts.size() * c];
                    for (int i = 0; i < rows.length; i++) {
                        System.arraycopy(rows[i], 0, flat, i * c, c);
                    }
                    int[][] votes = learner.continualHead().get().expertPredictions(texts, flat, c);
                    for (int e = 0; e < votes.length; e++) {
                        List<String> predicted = new ArrayList<>();
                        for (int v : votes[e]) {
                            predicted.add(learner.labels().get(v));
                        }
                        out.put(ContinualHead.EXPERTS.get(e), accuracyPerClass(s, predicted));
                    }
                    return out;
                }
            });
        }
    }

    /** Runs multinomial naive Bayes (exact vocabulary, Laplace smoothing) on the same batches. */
    public RunResult runNaiveBayes(ContinualStream stream) {
        NaiveBayes nb = NaiveBayes.builder().optLabels(stream.labels()).build();
        return run(stream, new Model() {
            @Override
            public int testThenTrain(List<Example> batch) {
                return nb.testThenTrain(batch);
            }

            @Override
            public List<String> predict(List<String> texts) {
                List<String> out = new ArrayList<>();
                texts.forEach(t -> out.add(nb.predict(t)));
                return out;
            }

            @Override
            public Map<String, Double> experts() {
                return Map.of();
            }

            @Override
            public Map<String, Map<String, Double>> expertHeldOut(ContinualStream s) {
                return Map.of();
            }
        });
    }

    private interface Model {
        int testThenTrain(List<Example> batch);

        List<String> predict(List<String> texts);

        Map<String, Double> experts();

        Map<String, Map<String, Double>> expertHeldOut(ContinualStream stream);
    }

    private RunResult run(ContinualStream stream, Model model) {
        long start = System.nanoTime();
        List<Example> events = stream.events();
        List<Integer> boundaries = new ArrayList<>(stream.eraEnds());
        boundaries.add(Math.min(COLD_START, events.size()));
        long correct = 0;
        double cold = Double.NaN;
        List<Map<String, Double>> eras = new ArrayList<>();
        int from = 0;
        while (from < events.size()) {
            int to = Math.min(events.size(), from + batchSize);
            for (int b : boundaries) {
                if (b > from && b < to) {
                    to = b;
                }
            }
            correct += model.testThenTrain(events.subList(from, to));
            from = to;
            if (from == Math.min(COLD_START, events.size())) {
                cold = correct / (double) from;
            }
            if (stream.eraEnds().contains(from)) {
                eras.add(perClass(stream, model));
            }
        }
        Map<String, Double> last = eras.isEmpty() ? perClass(stream, model) : eras.get(eras.size() - 1);
        Map<String, Double> forgetting = new LinkedHashMap<>();
        for (String label : stream.labels()) {
            double best = last.get(label);
            for (Map<String, Double> e : eras) {
                best = Math.max(best, e.get(label));
            }
            forgetting.put(label, best - last.get(label));
        }
        return new RunResult(correct / (double) Math.max(1, events.size()), cold, last, eras, forgetting,
                model.experts(), model.expertHeldOut(stream), (System.nanoTime() - start) / 1e9);
    }

    private static Map<String, Double> perClass(ContinualStream stream, Model model) {
        List<String> texts = new ArrayList<>();
        stream.heldOut().forEach(e -> texts.add(e.text()));
        return accuracyPerClass(stream, model.predict(texts));
    }

    private static Map<String, Double> accuracyPerClass(ContinualStream stream, List<String> predicted) {
        List<String> texts = new ArrayList<>();
        stream.heldOut().forEach(e -> texts.add(e.text()));
        Map<String, int[]> counts = new LinkedHashMap<>();
        stream.labels().forEach(l -> counts.put(l, new int[2]));
        for (int i = 0; i < texts.size(); i++) {
            int[] c = counts.get(stream.heldOut().get(i).label());
            c[1]++;
            if (stream.heldOut().get(i).label().equals(predicted.get(i))) {
                c[0]++;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        counts.forEach((l, c) -> out.put(l, c[1] == 0 ? Double.NaN : c[0] / (double) c[1]));
        return out;
    }
}
