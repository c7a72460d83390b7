package io.bulwark.study;

import java.util.List;
import java.util.Map;

/**
 * Everything measured in one training run over one stream (one order, encoder, variant and seed).
 *
 * @param scenario the stream: {@code shuffled}, {@code original} or {@code sweep}
 * @param encoder {@code pooled}, {@code transformer} or {@code naive-bayes}
 * @param variant the variant's name ({@link Variant#name()}), or {@code naive-bayes} / {@code naive-bayes-64}
 * @param display the variant in the paper's notation
 * @param strategy NATURAL, PGD, FREEAT, FREELB, YOPO or NAIVE_BAYES
 * @param steps K or m (1 for natural)
 * @param replays times each batch is trained on by natural training
 * @param ema whether the Bregman/EMA term was on
 * @param overrides hyperparameter overrides of the sweep
 * @param seed stream and learner seed
 * @param events training events
 * @param batches mini-batches
 * @param passesPerExample forward/backward passes each training event goes through (passes per batch)
 * @param updates parameter updates
 * @param skippedBatches batches with a skipped (non-finite) update
 * @param prequentialAccuracy accuracy of the predictions made before training on each batch
 * @param trainSeconds wall time of training alone (no evaluation)
 * @param examplesPerSecond training events per second of training wall time
 * @param cleanAccuracy accuracy on the held-out tail
 * @param cleanSpam accuracy on the held-out tail's spam (spam recall)
 * @param cleanHam accuracy on the held-out tail's ham (ham recall)
 * @param pgd10 robust accuracy on the held-out tail under PGD-10 with restarts
 * @param pgd20 robust accuracy on the held-out tail under PGD-20 with restarts
 * @param pgd20Spam robust accuracy on the held-out tail's spam under PGD-20
 * @param evalSeconds wall time of the held-out evaluation
 * @param discrete outcomes of the discrete attacks on held-out mails
 * @param probes periodic clean/robust accuracy on the probe set
 * @param collapse the first catastrophic-overfitting collapse, or null
 * @param batchAccuracy prequential accuracy of each batch
 * @param teacherKl symKL(student, EMA teacher) after each batch (0 without EMA)
 */
public record RunResult(
        String scenario,
        String encoder,
        String variant,
        String display,
        String strategy,
        int steps,
        int replays,
        boolean ema,
        Map<String, Double> overrides,
        long seed,
        int events,
        int batches,
        double passesPerExample,
        long updates,
        long skippedBatches,
        double prequentialAccuracy,
        double trainSeconds,
        double examplesPerSecond,
        double cleanAccuracy,
        double cleanSpam,
        double cleanHam,
        double pgd10,
        double pgd20,
        double pgd20Spam,
        double evalSeconds,
        List<DiscreteAttack.Summary> discrete,
        List<ProbePoint> probes,
        CollapseDetector.Collapse collapse,
        List<Double> batchAccuracy,
        List<Double> teacherKl) {

    /** Clean and PGD-10 robust accuracy on the probe set after {@code batch} batches. */
    public record ProbePoint(int batch, long examples, double clean, double robust) {}

    /** The summary of the discrete attack {@code name}, or null. */
    public DiscreteAttack.Summary discrete(String name) {
        for (DiscreteAttack.Summary s : discrete) {
            if (s.attack().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Whether the model predicts a single class for the whole held-out tail (its robustness is then trivial). */
    public boolean constantPredictor() {
        return cleanSpam == 0.0 || cleanHam == 0.0;
    }

    /** Whether the run is the naive Bayes baseline. */
    public boolean naiveBayes() {
        return "NAIVE_BAYES".equals(strategy);
    }
}
