package io.bulwark.study;

import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.data.StreamOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Builder of {@link StudySettings}: every option has a default, {@link #build()} validates and names the first invalid
 * option.
 *
 * <p>{@code StudySettings s = StudySettings.builder().optSeeds(3).optLimit(2000).build();}
 */
public final class StudySettingsBuilder {

    int seeds = 3;
    long firstSeed = 1;
    int limit = 0;
    int heldOut = 600;
    int probeSize = 64;
    int probeEvery = 10;
    List<EncoderType> encoders = List.of(EncoderType.POOLED, EncoderType.TRANSFORMER);
    List<Variant> variants = Variant.parseAll(StudySettings.FULL_VARIANTS);
    List<Variant> transformerVariants;
    List<Variant> originalVariants;
    int transformerSeeds;
    List<StreamOrder> transformerOrders;
    int sweepSeeds;
    List<Boolean> emaModes = List.of(false, true);
    List<StreamOrder> orders = List.of(StreamOrder.SHUFFLED, StreamOrder.ORIGINAL);
    int maxLength = 64;
    int batchSize = 32;
    double epsilon = 0.05;
    double alpha = Double.NaN;
    double learningRate = io.bulwark.model.LearnerConfig.builder().build().learningRate();
    double mu = 1.0;
    double beta = 0.99;
    int warmup = -1;
    double attackEpsilon = Double.NaN;
    int pgdRestarts = 2;
    int discreteExamples = 50;
    int discreteBudget = 4;
    int discreteTopWords = 8;
    boolean drift = true;
    List<Variant> driftVariants = Variant.parseAll(List.of("natural", "freeat-4"));
    int driftPhaseEvents = 1200;
    int driftHeldOut = 200;
    int driftWindow = 5;
    double driftTolerance = 0.05;
    int driftKlEvery = 2;
    double collapseDrop = 0.20;
    double collapseCleanTolerance = 0.05;
    double collapseMinPeak = 0.20;
    double collapseMinClean = 0.80;
    boolean sweep = true;
    Variant sweepVariant = Variant.parse("freeat-4");
    List<String> sweepParams = Variant.OVERRIDE_NAMES;
    int threads = 1;
    Path markdown = Path.of("docs/results.md");
    Path jsonDir = Path.of("study/target/study");
    String commandLine = "";

    StudySettingsBuilder() {}

    /** Sets the seeds per configuration (default 3). */
    public StudySettingsBuilder optSeeds(int v) { seeds = v; return this; }

    /** Sets the first seed (default 1). */
    public StudySettingsBuilder optFirstSeed(long v) { firstSeed = v; return this; }

    /** Sets the training events per stream, 0 = all (default 0). */
    public StudySettingsBuilder optLimit(int v) { limit = v; return this; }

    /** Sets the held-out mails (default 600). */
    public StudySettingsBuilder optHeldOut(int v) { heldOut = v; return this; }

    /** Sets the probe size (default 64). */
    public StudySettingsBuilder optProbeSize(int v) { probeSize = v; return this; }

    /** Sets the batches between probes (default 10). */
    public StudySettingsBuilder optProbeEvery(int v) { probeEvery = v; return this; }

    /** Sets the encoders (default pooled, transformer). */
    public StudySettingsBuilder optEncoders(List<EncoderType> v) { encoders = List.copyOf(v); return this; }

    /** Sets the variants (default {@link StudySettings#FULL_VARIANTS}). */
    public StudySettingsBuilder optVariants(List<Variant> v) { variants = List.copyOf(v); return this; }

    /** Sets the transformer's variants (default: the same as {@link #optVariants}). */
    public StudySettingsBuilder optTransformerVariants(List<Variant> v) {
        transformerVariants = v == null ? null : List.copyOf(v);
        return this;
    }

    /** Restricts the ORIGINAL order to these variants (default: the same as the shuffled order). */
    public StudySettingsBuilder optOriginalVariants(List<Variant> v) {
        originalVariants = v == null ? null : List.copyOf(v);
        return this;
    }

    /** Sets the seeds of the transformer runs, 0 = all (default 0). */
    public StudySettingsBuilder optTransformerSeeds(int v) { transformerSeeds = v; return this; }

    /** Sets the orders the transformer is trained on (default: every order). */
    public StudySettingsBuilder optTransformerOrders(List<StreamOrder> v) {
        transformerOrders = v == null ? null : List.copyOf(v);
        return this;
    }

    /** Sets the seeds of the sweep, 0 = all (default 0). */
    public StudySettingsBuilder optSweepSeeds(int v) { sweepSeeds = v; return this; }

    /** Sets the EMA modes (default both: false, true). */
    public StudySettingsBuilder optEmaModes(List<Boolean> v) { emaModes = List.copyOf(v); return this; }

    /** Sets the stream orders (default shuffled, original). */
    public StudySettingsBuilder optOrders(List<StreamOrder> v) { orders = List.copyOf(v); return this; }

    /** Sets the maximum tokens per mail (default 64). */
    public StudySettingsBuilder optMaxLength(int v) { maxLength = v; return this; }

    /** Sets the batch size (default 32). */
    public StudySettingsBuilder optBatchSize(int v) { batchSize = v; return this; }

    /** Sets the training radius (default 0.05). */
    public StudySettingsBuilder optEpsilon(double v) { epsilon = v; return this; }

    /** Sets the ascent step (default: the learner's). */
    public StudySettingsBuilder optAlpha(double v) { alpha = v; return this; }

    /** Sets the learning rate (default: the learner's). */
    public StudySettingsBuilder optLearningRate(double v) { learningRate = v; return this; }

    /** Sets mu (default 1.0). */
    public StudySettingsBuilder optMu(double v) { mu = v; return this; }

    /** Sets beta (default 0.99). */
    public StudySettingsBuilder optBeta(double v) { beta = v; return this; }

    /** Sets the learning-rate warm-up in updates, -1 = the learner's default (default -1). */
    public StudySettingsBuilder optWarmup(int v) { warmup = v; return this; }

    /** Sets the evaluation attacks' radius (default: the training radius). */
    public StudySettingsBuilder optAttackEpsilon(double v) { attackEpsilon = v; return this; }

    /** Sets the PGD restarts (default 2). */
    public StudySettingsBuilder optPgdRestarts(int v) { pgdRestarts = v; return this; }

    /** Sets the discrete-attack mails per class (default 50). */
    public StudySettingsBuilder optDiscreteExamples(int v) { discreteExamples = v; return this; }

    /** Sets the discrete-attack edit budget (default 4). */
    public StudySettingsBuilder optDiscreteBudget(int v) { discreteBudget = v; return this; }

    /** Sets the words the discrete attacks consider (default 8). */
    public StudySettingsBuilder optDiscreteTopWords(int v) { discreteTopWords = v; return this; }

    /** Sets whether the drift scenario runs (default true). */
    public StudySettingsBuilder optDrift(boolean v) { drift = v; return this; }

    /** Sets the drift variants (default natural, freeat-4). */
    public StudySettingsBuilder optDriftVariants(List<Variant> v) { driftVariants = List.copyOf(v); return this; }

    /** Sets the training events per drift phase (default 1200). */
    public StudySettingsBuilder optDriftPhaseEvents(int v) { driftPhaseEvents = v; return this; }

    /** Sets the held-out mails per drift phase (default 200). */
    public StudySettingsBuilder optDriftHeldOut(int v) { driftHeldOut = v; return this; }

    /** Sets the rolling window in batches (default 5). */
    public StudySettingsBuilder optDriftWindow(int v) { driftWindow = v; return this; }

    /** Sets the recovery tolerance (default 0.05). */
    public StudySettingsBuilder optDriftTolerance(double v) { driftTolerance = v; return this; }

    /** Sets the batches between drift-KL measurements (default 2). */
    public StudySettingsBuilder optDriftKlEvery(int v) { driftKlEvery = v; return this; }

    /** Sets the collapse drop (default 0.20). */
    public StudySettingsBuilder optCollapseDrop(double v) { collapseDrop = v; return this; }

    /** Sets the clean tolerance of a collapse (default 0.05). */
    public StudySettingsBuilder optCollapseCleanTolerance(double v) { collapseCleanTolerance = v; return this; }

    /** Sets the minimum peak of a collapse (default 0.20). */
    public StudySettingsBuilder optCollapseMinPeak(double v) { collapseMinPeak = v; return this; }

    /** Sets the clean accuracy a probe needs to count as a peak (default 0.80). */
    public StudySettingsBuilder optCollapseMinClean(double v) { collapseMinClean = v; return this; }

    /** Sets whether the sweep runs (default true). */
    public StudySettingsBuilder optSweep(boolean v) { sweep = v; return this; }

    /** Sets the swept variant (default freeat-4). */
    public StudySettingsBuilder optSweepVariant(Variant v) { sweepVariant = Objects.requireNonNull(v); return this; }

    /** Sets the hyperparameters the sweep changes (default: all of eps, alpha, lr, mu, beta, warmup, ramp). */
    public StudySettingsBuilder optSweepParams(List<String> v) { sweepParams = List.copyOf(v); return this; }

    /** Sets the PyTorch intra-op threads, 0 = engine default (default 1). */
    public StudySettingsBuilder optThreads(int v) { threads = v; return this; }

    /** Sets the markdown report (default docs/results.md). */
    public StudySettingsBuilder optMarkdown(Path v) { markdown = Objects.requireNonNull(v); return this; }

    /** Sets the JSON directory (default study/target/study). */
    public StudySettingsBuilder optJsonDir(Path v) { jsonDir = Objects.requireNonNull(v); return this; }

    /** Sets the command line recorded in the report. */
    public StudySettingsBuilder optCommandLine(String v) { commandLine = v == null ? "" : v; return this; }

    /**
     * Validates and builds the settings.
     *
     * @throws IllegalArgumentException naming the first invalid option
     */
    public StudySettings build() {
        check(seeds >= 1, "seeds must be >= 1, got " + seeds);
        check(limit >= 0, "limit must be >= 0 (0 = all), got " + limit);
        check(limit == 0 || limit >= batchSize, "limit must be at least one batch (" + batchSize + "), got " + limit);
        check(heldOut >= 16, "heldOut must be >= 16, got " + heldOut);
        check(probeSize >= 8 && probeSize <= heldOut, "probeSize must be in [8, heldOut], got " + probeSize);
        check(probeEvery >= 1, "probeEvery must be >= 1, got " + probeEvery);
        check(!encoders.isEmpty(), "at least one encoder is needed");
        check(!variants.isEmpty(), "at least one variant is needed");
        check(transformerVariants == null || !transformerVariants.isEmpty(),
                "transformer variants must not be empty");
        check(!emaModes.isEmpty(), "at least one EMA mode is needed");
        check(transformerSeeds >= 0, "transformerSeeds must be >= 0 (0 = all), got " + transformerSeeds);
        check(sweepSeeds >= 0, "sweepSeeds must be >= 0 (0 = all), got " + sweepSeeds);
        check(!orders.isEmpty(), "at least one order is needed");
        check(maxLength >= 8 && maxLength <= 512, "maxLength must be in [8, 512], got " + maxLength);
        check(batchSize >= 1 && batchSize <= 1024, "batchSize must be in [1, 1024], got " + batchSize);
        check(epsilon > 0 && Double.isFinite(epsilon), "epsilon must be finite and > 0, got " + epsilon);
        check(Double.isNaN(alpha) || alpha > 0, "alpha must be > 0, got " + alpha);
        check(learningRate > 0, "learningRate must be > 0, got " + learningRate);
        check(mu > 0, "mu must be > 0, got " + mu);
        check(beta >= 0 && beta < 1, "beta must be in [0, 1), got " + beta);
        check(warmup >= -1, "warmup must be >= 0, or -1 for the learner's default, got " + warmup);
        check(Double.isNaN(attackEpsilon) || attackEpsilon > 0, "attackEpsilon must be > 0, got " + attackEpsilon);
        check(pgdRestarts >= 1, "pgdRestarts must be >= 1, got " + pgdRestarts);
        check(discreteExamples >= 0, "discreteExamples must be >= 0, got " + discreteExamples);
        check(discreteBudget >= 1, "discreteBudget must be >= 1, got " + discreteBudget);
        check(discreteTopWords >= 1, "discreteTopWords must be >= 1, got " + discreteTopWords);
        check(!drift || !driftVariants.isEmpty(), "the drift scenario needs at least one variant");
        check(driftPhaseEvents >= batchSize, "driftPhaseEvents must be >= batchSize, got " + driftPhaseEvents);
        check(driftHeldOut >= 8, "driftHeldOut must be >= 8, got " + driftHeldOut);
        check(driftWindow >= 1, "driftWindow must be >= 1, got " + driftWindow);
        check(driftTolerance >= 0 && driftTolerance < 1, "driftTolerance must be in [0, 1), got " + driftTolerance);
        check(driftKlEvery >= 1, "driftKlEvery must be >= 1, got " + driftKlEvery);
        check(collapseDrop > 0 && collapseDrop < 1, "collapseDrop must be in (0, 1), got " + collapseDrop);
        check(collapseCleanTolerance >= 0, "collapseCleanTolerance must be >= 0, got " + collapseCleanTolerance);
        check(collapseMinPeak >= 0 && collapseMinPeak < 1, "collapseMinPeak must be in [0, 1), got " + collapseMinPeak);
        check(collapseMinClean >= 0 && collapseMinClean <= 1, "collapseMinClean must be in [0, 1], got "
                + collapseMinClean);
        check(Variant.OVERRIDE_NAMES.containsAll(sweepParams), "sweep parameters must be among "
                + Variant.OVERRIDE_NAMES + ", got " + sweepParams);
        check(threads >= 0, "threads must be >= 0, got " + threads);
        return new StudySettings(this);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid study settings: " + message);
        }
    }
}
