package io.bulwark.model.attack;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.baseline.NaiveBayes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Robustness of training configurations to the {@link AttackSuite}: for every seed, a {@link HeldOutSplit} of the
 * data, one pass of every candidate learner (and of naive Bayes) over the training part, then held-out clean
 * accuracy and the whole suite on the held-out examples. Results per model, seed and attack; {@link Summary} gives
 * means and sample standard deviations over seeds.
 */
public final class RobustnessBenchmark {

    /** The model name of the naive Bayes baseline. */
    public static final String NAIVE_BAYES = "naive-bayes";

    /**
     * A learner configuration to measure.
     *
     * @param name its name in tables
     * @param settings {@link LearnerConfig#fromMap} keys over the defaults (seed and labels are set per run)
     */
    public record Candidate(String name, Map<String, String> settings) {

        /** Parses {@code NAME=key=value;key=value} (or just {@code NAME} for the defaults). */
        public static Candidate parse(String spec) {
            int eq = spec.indexOf('=');
            String name = (eq < 0 ? spec : spec.substring(0, eq)).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("Candidate '" + spec + "' has no name; expected NAME=key=value;...");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            if (eq >= 0) {
                for (String kv : spec.substring(eq + 1).split(";")) {
                    if (kv.isBlank()) {
                        continue;
                    }
                    int e = kv.indexOf('=');
                    if (e <= 0) {
                        throw new IllegalArgumentException("Candidate '" + name + "': expected key=value, got '" + kv + "'");
                    }
                    settings.put(kv.substring(0, e).trim(), kv.substring(e + 1).trim());
                }
            }
            LearnerConfig.fromMap(settings);
            return new Candidate(name, Map.copyOf(settings));
        }
    }

    /**
     * A model that is not a {@link Learner}, trained once per seed on the same training part and attacked like the
     * candidates (black box only: no PGD or HotFlip rows).
     */
    public interface Baseline {

        /** Its name in tables. */
        String name();

        /**
         * Trains a new model on {@code training}, whose labels are {@code labels}, with {@code seed}. When the returned
         * victim is {@link AutoCloseable} the benchmark closes it after the seed's attacks.
         */
        Victim train(List<Example> training, List<String> labels, long seed) throws Exception;
    }

    /** Multinomial naive Bayes, the online baseline ({@link NaiveBayes}). */
    public static Baseline naiveBayes() {
        return new Baseline() {
            @Override
            public String name() {
                return NAIVE_BAYES;
            }

            @Override
            public Victim train(List<Example> training, List<String> labels, long seed) {
                NaiveBayes nb = NaiveBayes.builder().optLabels(labels).build();
                nb.train(training);
                return Victim.of(nb);
            }
        };
    }

    /**
     * One model on one seed.
     *
     * @param model the model name
     * @param seed the seed of the split and of the learner
     * @param cleanAccuracy accuracy on all held-out examples
     * @param attacks the suite's rows, embedding PGD included for learners
     * @param expertWeights the mixture's weight per expert when attacked (empty without the continual parts): the
     *                      attacks meet mostly the experts that carry the weight
     */
    public record Run(String model, long seed, double cleanAccuracy, List<AttackMetrics> attacks,
                      Map<String, Double> expertWeights) {

        /** A run of a model without a mixture. */
        public Run(String model, long seed, double cleanAccuracy, List<AttackMetrics> attacks) {
            this(model, seed, cleanAccuracy, attacks, Map.of());
        }

        /** Copies. */
        public Run {
            attacks = List.copyOf(attacks);
            expertWeights = Map.copyOf(expertWeights);
        }
    }

    private final List<Candidate> candidates;
    private final List<Long> seeds;
    private final int heldoutPerClass;
    private final AttackSuite.Builder suite;
    private final List<Baseline> baselines;
    private final boolean pgd;

    /**
     * A benchmark.
     *
     * @param candidates learner configurations
     * @param seeds seeds (3 or more to report a spread)
     * @param heldoutPerClass held-out examples per label
     * @param suite the suite's settings (its seed is set per run)
     * @param baselines models other than learners to measure beside them, e.g. {@link #naiveBayes()}
     * @param pgd whether to add embedding-space PGD rows for learners
     */
    public RobustnessBenchmark(List<Candidate> candidates, List<Long> seeds, int heldoutPerClass,
                               AttackSuite.Builder suite, List<Baseline> baselines, boolean pgd) {
        if (seeds.isEmpty() || heldoutPerClass < 1) {
            throw new IllegalArgumentException("Need at least one seed and heldoutPerClass >= 1");
        }
        this.candidates = List.copyOf(candidates);
        this.seeds = List.copyOf(seeds);
        this.heldoutPerClass = heldoutPerClass;
        this.suite = suite;
        this.baselines = List.copyOf(baselines);
        this.pgd = pgd;
    }

    /** Runs every model on every seed over {@code data}, reporting each finished run to {@code onRun}. */
    public List<Run> run(List<Example> data, Consumer<Run> onRun) {
        List<String> labels = new ArrayList<>(new TreeSet<>(data.stream().map(Example::label)
                .filter(l -> l != null).toList()));
        List<Run> runs = new ArrayList<>();
        for (long seed : seeds) {
            HeldOutSplit split = HeldOutSplit.of(data, heldoutPerClass, seed);
            GoodWords goodWords = GoodWords.counter().add(split.training()).build(200, 5);
            AttackSuite attacks = suite.optSeed(seed).build();
            for (Candidate c : candidates) {
                LearnerConfig config = LearnerConfig.fromMap(c.settings()).toBuilder().optSeed(seed)
                        .optLabels(labels).build();
                try (Learner learner = train(config, split.training())) {
                    Victim victim = Victim.of(learner);
                    List<AttackMetrics> rows = new ArrayList<>(attacks.run(victim, split.heldout(), goodWords,
                            pgd ? learner : null));
                    if (pgd) {
                        rows.add(attacks.pgd(learner, split.heldout(), PgdAttack.defaults(config)));
                    }
                    Run r = new Run(c.name(), seed, accuracy(victim, split.heldout()), rows,
                            learner.continualHead().map(h -> h.weights()).orElse(Map.of()));
                    runs.add(r);
                    onRun.accept(r);
                }
            }
            for (Baseline baseline : baselines) {
                Victim victim = trainBaseline(baseline, split.training(), labels, seed);
                try {
                    Run r = new Run(baseline.name(), seed, accuracy(victim, split.heldout()),
                            attacks.run(victim, split.heldout(), goodWords));
                    runs.add(r);
                    onRun.accept(r);
                } finally {
                    closeIfCloseable(victim);
                }
            }
        }
        return runs;
    }

    /** Trains a new learner for one pass over {@code training} in batches of the configured size. */
    static Learner train(LearnerConfig config, List<Example> training) {
        Learner learner = Learner.create(config);
        try {
            for (int from = 0; from < training.size(); from += config.batchSize()) {
                learner.train(training.subList(from, Math.min(training.size(), from + config.batchSize())));
            }
            return learner;
        } catch (RuntimeException e) {
            learner.close();
            throw e;
        }
    }

    private static Victim trainBaseline(Baseline baseline, List<Example> training, List<String> labels, long seed) {
        try {
            return baseline.train(training, labels, seed);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Baseline " + baseline.name() + " failed to train: " + e.getMessage(), e);
        }
    }

    private static void closeIfCloseable(Victim victim) {
        if (victim instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("Closing " + victim + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static double accuracy(Victim victim, List<Example> examples) {
        List<String> texts = examples.stream().map(Example::text).toList();
        int[] p = victim.predict(texts);
        int right = 0;
        for (int i = 0; i < p.length; i++) {
            right += victim.labels().get(p[i]).equals(examples.get(i).label()) ? 1 : 0;
        }
        return examples.isEmpty() ? Double.NaN : right / (double) examples.size();
    }

    /** A one-line progress message of a run. */
    public static void describe(Run r, PrintWriter err) {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "seed %d %s: clean %.4f", r.seed(),
                r.model(), r.cleanAccuracy()));
        for (AttackMetrics m : r.attacks()) {
            sb.append(String.format(java.util.Locale.ROOT, " | %s %.3f", m.name(), m.accuracy()));
        }
        if (!r.expertWeights().isEmpty()) {
            sb.append(" | weights");
            new TreeMap<>(r.expertWeights()).forEach((k, v) ->
                    sb.append(String.format(java.util.Locale.ROOT, " %s %.2f", k, v)));
        }
        err.println(sb);
        err.flush();
    }
}
