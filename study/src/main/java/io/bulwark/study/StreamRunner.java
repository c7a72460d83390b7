package io.bulwark.study;

import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.StepResult;
import io.bulwark.model.baseline.NaiveBayes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains one learner (or the naive Bayes filter) on one stream, prequentially, and measures it: probe robustness
 * during training (catastrophic overfitting), then clean, PGD-10 and PGD-20 accuracy on the held-out tail and the
 * discrete attacks on held-out mails.
 */
public final class StreamRunner {

    /** Labels of the corpus, fixed so every model has the same output order. */
    public static final List<String> LABELS = List.of(StudyStreams.HAM, StudyStreams.SPAM);

    private final StudySettings settings;

    /** A runner with the study's settings. */
    public StreamRunner(StudySettings settings) {
        this.settings = settings;
    }

    /** The learner configuration of {@code variant} on {@code encoder} with {@code seed}. */
    public LearnerConfig config(EncoderType encoder, Variant variant, long seed) {
        LearnerConfig.Builder b = LearnerConfig.builder()
                .optEncoderType(encoder)
                .optMaxLength(settings.maxLength())
                .optBatchSize(settings.batchSize())
                .optEpsilon(settings.epsilon())
                .optLearningRate(settings.learningRate())
                .optEmaMomentum(settings.beta())
                .optLabels(LABELS)
                .optSeed(seed);
        if (settings.warmup() >= 0) {
            b.optWarmupSteps(settings.warmup());
        }
        if (!Double.isNaN(settings.alpha())) {
            b.optAlpha(settings.alpha());
        }
        return variant.apply(b, settings.mu()).build();
    }

    /** The PGD evaluation attack with {@code steps} steps (alpha = 2.5 eps / steps, Madry et al.). */
    public PgdAttack pgd(int steps, int restarts) {
        double eps = settings.attackEpsilon();
        return new PgdAttack(steps, eps, 2.5 * eps / steps, restarts, LearnerConfig.NormType.LINF);
    }

    /** The discrete attacks of the study. */
    public List<DiscreteAttack> discreteAttacks(int maxTokens) {
        return List.of(
                DiscreteAttack.characters(settings.discreteBudget(), settings.discreteTopWords(), maxTokens),
                DiscreteAttack.words(settings.discreteBudget(), settings.discreteTopWords(), maxTokens));
    }

    /** Trains and evaluates {@code variant} on {@code encoder} over the split. */
    public RunResult run(String scenario, EncoderType encoder, Variant variant, long seed, StudyStreams.Split split) {
        LearnerConfig cfg = config(encoder, variant, seed);
        List<Example> stream = split.train();
        List<Example> probe = split.probe(settings.probeSize());
        PgdAttack probeAttack = pgd(10, 1);
        CollapseDetector detector = new CollapseDetector(settings.collapseDrop(), settings.collapseCleanTolerance(),
                settings.collapseMinPeak(), settings.collapseMinClean());
        List<RunResult.ProbePoint> probes = new ArrayList<>();
        List<Double> batchAccuracy = new ArrayList<>();
        List<Double> teacherKl = new ArrayList<>();
        int bs = settings.batchSize();
        int batches = (stream.size() + bs - 1) / bs;
        long correct = 0;
        long labeled = 0;
        long passes = 0;
        long trainNanos = 0;
        try (Learner learner = Learner.create(cfg)) {
            for (int b = 0; b < batches; b++) {
                List<Example> batch = stream.subList(b * bs, Math.min(stream.size(), (b + 1) * bs));
                long t0 = System.nanoTime();
                StepResult r = learner.train(batch);
                passes += r.passes();
                for (int rep = 1; rep < variant.replays(); rep++) {
                    passes += learner.train(batch).passes();
                }
                trainNanos += System.nanoTime() - t0;
                correct += r.correctBeforeUpdate();
                labeled += r.labeled();
                batchAccuracy.add(r.labeled() == 0 ? Double.NaN : (double) r.correctBeforeUpdate() / r.labeled());
                teacherKl.add(r.teacherDriftKl());
                if ((b + 1) % settings.probeEvery() == 0 || b == batches - 1) {
                    Evaluation e = learner.evaluate(probe, probeAttack);
                    probes.add(new RunResult.ProbePoint(b + 1, learner.examplesSeen(), e.cleanAccuracy(),
                            e.robustAccuracy()));
                    detector.observe(b + 1, learner.examplesSeen(), e.cleanAccuracy(), e.robustAccuracy());
                }
            }
            long e0 = System.nanoTime();
            // Spam and ham are attacked separately so robustness on spam is reported too; the overall numbers are
            // their weighted sums.
            List<Example> spam = byLabel(split.heldOut(), StudyStreams.SPAM);
            List<Example> ham = byLabel(split.heldOut(), StudyStreams.HAM);
            Evaluation spam10 = learner.evaluate(spam, pgd(10, settings.pgdRestarts()));
            Evaluation ham10 = learner.evaluate(ham, pgd(10, settings.pgdRestarts()));
            Evaluation spam20 = learner.evaluate(spam, pgd(20, settings.pgdRestarts()));
            Evaluation ham20 = learner.evaluate(ham, pgd(20, settings.pgdRestarts()));
            double evalSeconds = (System.nanoTime() - e0) / 1e9;
            int ns = spam.size();
            int nh = ham.size();
            List<DiscreteAttack.Summary> discrete = new ArrayList<>();
            List<Example> attacked = split.discreteSet(settings.discreteExamples());
            if (!attacked.isEmpty()) {
                for (DiscreteAttack a : discreteAttacks(cfg.maxLength())) {
                    discrete.add(a.run(DiscreteAttack.of(learner), attacked));
                }
            }
            double trainSeconds = trainNanos / 1e9;
            return new RunResult(scenario, encoder.name().toLowerCase(Locale.ROOT), variant.name(),
                    variant.displayName(), variant.strategy().name(), variant.steps(), variant.replays(),
                    variant.ema(), variant.overrides(), seed, stream.size(), batches,
                    batches == 0 ? 0 : (double) passes / batches, learner.updates(),
                    learner.skippedBatches(), labeled == 0 ? Double.NaN : (double) correct / labeled, trainSeconds,
                    trainSeconds > 0 ? stream.size() / trainSeconds : Double.NaN,
                    weighted(spam10.cleanAccuracy(), ns, ham10.cleanAccuracy(), nh), spam10.cleanAccuracy(),
                    ham10.cleanAccuracy(), weighted(spam10.robustAccuracy(), ns, ham10.robustAccuracy(), nh),
                    weighted(spam20.robustAccuracy(), ns, ham20.robustAccuracy(), nh), spam20.robustAccuracy(),
                    evalSeconds, discrete, probes,
                    detector.collapse(), batchAccuracy, teacherKl);
        }
    }

    /**
     * Runs the multinomial naive Bayes filter on the same stream (test-then-train per batch).
     *
     * @param maxTokens tokens read per mail (0 = the whole mail, as the classic filter does)
     */
    public RunResult runNaiveBayes(String scenario, long seed, StudyStreams.Split split, int maxTokens) {
        NaiveBayes.Builder nbb = NaiveBayes.builder().optLabels(LABELS);
        if (maxTokens > 0) {
            nbb.optMaxTokens(maxTokens);
        }
        NaiveBayes nb = nbb.build();
        List<Example> stream = split.train();
        int bs = settings.batchSize();
        int batches = (stream.size() + bs - 1) / bs;
        long correct = 0;
        long labeled = 0;
        long t0 = System.nanoTime();
        List<Double> batchAccuracy = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Example> batch = stream.subList(b * bs, Math.min(stream.size(), (b + 1) * bs));
            int c = nb.testThenTrain(batch);
            correct += c;
            labeled += batch.size();
            batchAccuracy.add((double) c / batch.size());
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long e0 = System.nanoTime();
        double clean = nb.accuracy(split.heldOut());
        double cleanSpam = nb.accuracy(byLabel(split.heldOut(), StudyStreams.SPAM));
        double cleanHam = nb.accuracy(byLabel(split.heldOut(), StudyStreams.HAM));
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        List<DiscreteAttack.Summary> discrete = new ArrayList<>();
        List<Example> attacked = split.discreteSet(settings.discreteExamples());
        if (!attacked.isEmpty()) {
            for (DiscreteAttack a : discreteAttacks(maxTokens > 0 ? maxTokens : Integer.MAX_VALUE)) {
                discrete.add(a.run(DiscreteAttack.of(nb), attacked));
            }
        }
        String name = maxTokens > 0 ? "naive-bayes-" + maxTokens : "naive-bayes";
        String display = maxTokens > 0 ? "Naive Bayes (first " + maxTokens + " tokens)" : "Naive Bayes (whole mail)";
        return new RunResult(scenario, "naive-bayes", name, display, "NAIVE_BAYES", 1, 1, false, Map.of(), seed,
                stream.size(), batches, 0.0, stream.size(), 0, labeled == 0 ? Double.NaN : (double) correct / labeled,
                trainSeconds, trainSeconds > 0 ? stream.size() / trainSeconds : Double.NaN, clean, cleanSpam,
                cleanHam, Double.NaN, Double.NaN, Double.NaN, evalSeconds, discrete, List.of(), null, batchAccuracy, List.of());
    }

    static List<Example> byLabel(List<Example> examples, String label) {
        List<Example> out = new ArrayList<>();
        for (Example e : examples) {
            if (label.equals(e.label())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The accuracy over both parts from the accuracies of each (NaN parts count as empty). */
    static double weighted(double a, int na, double b, int nb) {
        double s = 0;
        int n = 0;
        if (na > 0 && !Double.isNaN(a)) {
            s += a * na;
            n += na;
        }
        if (nb > 0 && !Double.isNaN(b)) {
            s += b * nb;
            n += nb;
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
