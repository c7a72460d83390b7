package io.bulwark.study;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drift scenario: a learner trains on phase A (the 2002 folders easy_ham and spam), then the stream shifts to
 * phase B (the 2003 folders easy_ham_2 and spam_2 plus hard_ham). Measured: forgetting (accuracy on held-out phase-A
 * mail at the shift minus at the end), the dip and recovery time of the rolling prequential accuracy after the shift,
 * the teacher's drift KL after each batch, and the KL between the current model and the model frozen at the shift.
 */
public final class DriftExperiment {

    /**
     * The outcome of one drift run.
     *
     * @param preShiftLevel mean prequential accuracy over the last {@code window} batches before the shift
     * @param dip pre-shift level minus the lowest rolling accuracy after the shift
     * @param recoveryBatches batches after the shift until the rolling accuracy is back within the tolerance of the
     *     pre-shift level (1 = never left it), or -1 if it never came back
     * @param accAAtShift held-out phase-A accuracy at the shift
     * @param accAAtEnd held-out phase-A accuracy at the end
     * @param forgetting {@code accAAtShift - accAAtEnd}
     * @param spamRecallAAtShift held-out phase-A spam recall at the shift
     * @param hamRecallAAtShift held-out phase-A ham recall at the shift (one of the two at 0 = the model predicts a
     *     single class: it has not learned phase A yet, and forgetting cannot be measured)
     * @param accBAtShift held-out phase-B accuracy at the shift (how far the shift moves the data)
     * @param accBAtEnd held-out phase-B accuracy at the end
     * @param rolling rolling prequential accuracy per batch (window over the same phase)
     * @param teacherKl symKL(student, teacher) after each batch (0 without EMA)
     * @param shiftKl symKL(current model, model at the shift) every {@code klEvery} batches of phase B, as
     *     [batch, kl] pairs
     */
    public record Result(String encoder, String variant, String display, boolean ema, long seed, int batchesA,
                         int batchesB, double preShiftLevel, double dip, int recoveryBatches, double accAAtShift,
                         double accAAtEnd, double forgetting, double spamRecallAAtShift, double hamRecallAAtShift,
                         double accBAtShift, double accBAtEnd,
                         double trainSeconds, List<Double> batchAccuracy, List<Double> rolling,
                         List<Double> teacherKl, List<double[]> shiftKl) {}

    private final StudySettings settings;
    private final StreamRunner runner;

    /** A drift experiment with the study's settings. */
    public DriftExperiment(StudySettings settings) {
        this.settings = settings;
        this.runner = new StreamRunner(settings);
    }

    /** Whether the model had learned phase A at the shift (it predicted both classes on held-out phase-A mail). */
    public static boolean learnedAtShift(Result r) {
        return r.spamRecallAAtShift() > 0 && r.hamRecallAAtShift() > 0;
    }

    /** Runs {@code variant} on {@code encoder} through the drift split. */
    public Result run(EncoderType encoder, Variant variant, long seed, StudyStreams.DriftSplit split) {
        LearnerConfig cfg = runner.config(encoder, variant, seed);
        int bs = settings.batchSize();
        int w = settings.driftWindow();
        List<Example> klProbe = new ArrayList<>(split.heldOutA().subList(0, Math.min(64, split.heldOutA().size())));
        List<Double> acc = new ArrayList<>();
        List<Double> rolling = new ArrayList<>();
        List<Double> teacherKl = new ArrayList<>();
        List<double[]> shiftKl = new ArrayList<>();
        long nanos = 0;
        try (Learner learner = Learner.create(cfg)) {
            nanos += train(learner, variant, split.phaseA(), bs, acc, teacherKl);
            int batchesA = acc.size();
            rollingInto(acc, 0, acc.size(), w, rolling);
            double pre = mean(acc, Math.max(0, acc.size() - w), acc.size());
            double accAShift = learner.evaluate(split.heldOutA(), null).cleanAccuracy();
            double spamAShift = learner.evaluate(StreamRunner.byLabel(split.heldOutA(), StudyStreams.SPAM), null)
                    .cleanAccuracy();
            double hamAShift = learner.evaluate(StreamRunner.byLabel(split.heldOutA(), StudyStreams.HAM), null)
                    .cleanAccuracy();
            double accBShift = learner.evaluate(split.heldOutB(), null).cleanAccuracy();
            try (Learner frozen = Learner.fromParameters(cfg, learner.labels(), learner.exportParameters(), null,
                    "cpu")) {
                int from = acc.size();
                List<Example> b = split.phaseB();
                int batchesB = (b.size() + bs - 1) / bs;
                for (int i = 0; i < batchesB; i++) {
                    nanos += train(learner, variant, b.subList(i * bs, Math.min(b.size(), (i + 1) * bs)), bs, acc,
                            teacherKl);
                    if ((i + 1) % settings.driftKlEvery() == 0 || i == batchesB - 1) {
                        shiftKl.add(new double[] {from + i + 1, learner.driftKl(frozen, klProbe)});
                    }
                }
                rollingInto(acc, from, acc.size(), w, rolling);
                double lowest = Double.POSITIVE_INFINITY;
                int recovery = -1;
                for (int i = from; i < rolling.size(); i++) {
                    lowest = Math.min(lowest, rolling.get(i));
                }
                for (int i = from; i < rolling.size(); i++) {
                    // Recovered once the window has filled (or never left the band) and is back within tolerance.
                    boolean filled = i - from + 1 >= Math.min(w, batchesB);
                    if (rolling.get(i) >= pre - settings.driftTolerance() && (filled || lowest >= pre
                            - settings.driftTolerance())) {
                        recovery = i - from + 1;
                        break;
                    }
                }
                double accAEnd = learner.evaluate(split.heldOutA(), null).cleanAccuracy();
                double accBEnd = learner.evaluate(split.heldOutB(), null).cleanAccuracy();
                return new Result(encoder.name().toLowerCase(Locale.ROOT), variant.name(), variant.displayName(),
                        variant.ema(), seed, batchesA, batchesB, pre, pre - lowest, recovery, accAShift, accAEnd,
                        accAShift - accAEnd, spamAShift, hamAShift, accBShift, accBEnd, nanos / 1e9, acc, rolling,
                        teacherKl, shiftKl);
            }
        }
    }

    /** Trains on the stream batch by batch, recording prequential accuracy and teacher KL; returns the nanoseconds. */
    private static long train(Learner learner, Variant variant, List<Example> stream, int bs, List<Double> acc,
                      List<Double> teacherKl) {
        int batches = (stream.size() + bs - 1) / bs;
        long t0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            List<Example> batch = stream.subList(i * bs, Math.min(stream.size(), (i + 1) * bs));
            StepResult r = learner.train(batch);
            for (int rep = 1; rep < variant.replays(); rep++) {
                learner.train(batch);
            }
            acc.add(r.labeled() == 0 ? Double.NaN : (double) r.correctBeforeUpdate() / r.labeled());
            teacherKl.add(r.teacherDriftKl());
        }
        return System.nanoTime() - t0;
    }

    /** Appends the rolling mean over up to {@code w} batches of [from, to), never reaching before {@code from}. */
    static void rollingInto(List<Double> acc, int from, int to, int w, List<Double> out) {
        for (int i = from; i < to; i++) {
            out.add(mean(acc, Math.max(from, i - w + 1), i + 1));
        }
    }

    static double mean(List<Double> v, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(v.get(i))) {
                s += v.get(i);
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
