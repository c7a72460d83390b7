package io.bulwark.study;

import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.data.StreamOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable settings of one study run: what is trained (encoders, variants, EMA on/off, orders, seeds), on how much
 * of the stream, how it is evaluated (held-out tail, PGD and discrete attacks, probe for catastrophic overfitting),
 * the drift scenario, the sensitivity sweep, and where the results go.
 *
 * <p>{@code StudySettings s = StudySettings.builder().optSeeds(3).optLimit(2000).build();}
 */
public final class StudySettings {

    /** The variants of the full study. */
    public static final List<String> FULL_VARIANTS = List.of("natural", "natural-x4", "natural-x8", "pgd-3", "pgd-7",
            "freeat-2", "freeat-4", "freeat-8", "freelb-3");

    private final int seeds;
    private final long firstSeed;
    private final int limit;
    private final int heldOut;
    private final int probeSize;
    private final int probeEvery;
    private final List<EncoderType> encoders;
    private final List<Variant> variants;
    private final List<Variant> transformerVariants;
    private final List<Variant> originalVariants;
    private final int transformerSeeds;
    private final List<StreamOrder> transformerOrders;
    private final int sweepSeeds;
    private final List<Boolean> emaModes;
    private final List<StreamOrder> orders;
    private final int maxLength;
    private final int batchSize;
    private final double epsilon;
    private final double alpha;
    private final double learningRate;
    private final double mu;
    private final double beta;
    private final int warmup;
    private final double attackEpsilon;
    private final int pgdRestarts;
    private final int discreteExamples;
    private final int discreteBudget;
    private final int discreteTopWords;
    private final boolean drift;
    private final List<Variant> driftVariants;
    private final int driftPhaseEvents;
    private final int driftHeldOut;
    private final int driftWindow;
    private final double driftTolerance;
    private final int driftKlEvery;
    private final double collapseDrop;
    private final double collapseCleanTolerance;
    private final double collapseMinPeak;
    private final double collapseMinClean;
    private final boolean sweep;
    private final Variant sweepVariant;
    private final List<String> sweepParams;
    private final int threads;
    private final Path markdown;
    private final Path jsonDir;
    private final String commandLine;

    private StudySettings(Builder b) {
        seeds = b.seeds;
        firstSeed = b.firstSeed;
        limit = b.limit;
        heldOut = b.heldOut;
        probeSize = b.probeSize;
        probeEvery = b.probeEvery;
        encoders = List.copyOf(b.encoders);
        variants = List.copyOf(b.variants);
        transformerVariants = b.transformerVariants == null ? variants : List.copyOf(b.transformerVariants);
        originalVariants = b.originalVariants == null ? null : List.copyOf(b.originalVariants);
        transformerOrders = b.transformerOrders == null ? List.copyOf(b.orders) : List.copyOf(b.transformerOrders);
        transformerSeeds = b.transformerSeeds <= 0 ? b.seeds : Math.min(b.seeds, b.transformerSeeds);
        sweepSeeds = b.sweepSeeds <= 0 ? b.seeds : Math.min(b.seeds, b.sweepSeeds);
        emaModes = List.copyOf(b.emaModes);
        orders = List.copyOf(b.orders);
        maxLength = b.maxLength;
        batchSize = b.batchSize;
        epsilon = b.epsilon;
        alpha = b.alpha;
        learningRate = b.learningRate;
        mu = b.mu;
        beta = b.beta;
        warmup = b.warmup;
        attackEpsilon = Double.isNaN(b.attackEpsilon) ? b.epsilon : b.attackEpsilon;
        pgdRestarts = b.pgdRestarts;
        discreteExamples = b.discreteExamples;
        discreteBudget = b.discreteBudget;
        discreteTopWords = b.discreteTopWords;
        drift = b.drift;
        driftVariants = List.copyOf(b.driftVariants);
        driftPhaseEvents = b.driftPhaseEvents;
        driftHeldOut = b.driftHeldOut;
        driftWindow = b.driftWindow;
        driftTolerance = b.driftTolerance;
        driftKlEvery = b.driftKlEvery;
        collapseDrop = b.collapseDrop;
        collapseCleanTolerance = b.collapseCleanTolerance;
        collapseMinPeak = b.collapseMinPeak;
        collapseMinClean = b.collapseMinClean;
        sweep = b.sweep;
        sweepVariant = b.sweepVariant;
        sweepParams = List.copyOf(b.sweepParams);
        threads = b.threads;
        markdown = b.markdown;
        jsonDir = b.jsonDir;
        commandLine = b.commandLine;
    }

    /** A builder with the full study's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The tiny smoke configuration (1 seed, 200 events, pooled, natural and FreeAT-2) writing under {@code dir}. */
    public static Builder quick(Path dir) {
        return builder().optSeeds(1).optLimit(200).optHeldOut(48).optProbeSize(16).optProbeEvery(3)
                .optEncoders(List.of(EncoderType.POOLED))
                .optVariants(List.of(Variant.parse("natural"), Variant.parse("freeat-2")))
                .optDiscreteExamples(6).optDiscreteBudget(2).optDiscreteTopWords(4)
                .optDriftVariants(List.of(Variant.parse("freeat-2")))
                .optDriftPhaseEvents(64).optDriftHeldOut(16).optDriftWindow(2).optDriftKlEvery(1)
                .optSweep(false)
                .optMarkdown(dir.resolve("results.md")).optJsonDir(dir);
    }

    /** Seeds per configuration. */
    public int seeds() { return seeds; }

    /** The first seed; the others follow it. */
    public long firstSeed() { return firstSeed; }

    /** The seeds, in order. */
    public List<Long> seedList() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            out.add(firstSeed + i);
        }
        return out;
    }

    /** Training events per stream (0 = every mail not held out). */
    public int limit() { return limit; }

    /** Mails held out (never trained on) for clean, PGD and discrete evaluation. */
    public int heldOut() { return heldOut; }

    /** Held-out mails attacked periodically during training (catastrophic-overfitting probe). */
    public int probeSize() { return probeSize; }

    /** Batches between probe evaluations. */
    public int probeEvery() { return probeEvery; }

    /** Encoders trained. */
    public List<EncoderType> encoders() { return encoders; }

    /** Variants trained on the pooled encoder (EMA flag off; {@link #emaModes()} adds the EMA copies). */
    public List<Variant> variants() { return variants; }

    /** Variants trained on the transformer encoder. */
    public List<Variant> transformerVariants() { return transformerVariants; }

    /** The variants of an encoder. */
    public List<Variant> variants(EncoderType encoder) {
        return encoder == EncoderType.TRANSFORMER ? transformerVariants : variants;
    }

    /**
     * The variants trained on {@code encoder} in {@code order}, each in every EMA mode; a variant spelled with
     * {@code +ema} is trained with EMA only. On the ORIGINAL order, when {@code originalVariants} is set, its
     * entries whose base variant the encoder trains are used instead.
     */
    public List<Variant> runVariants(EncoderType encoder, StreamOrder order) {
        List<Variant> base = variants(encoder);
        if (order == StreamOrder.ORIGINAL && originalVariants != null) {
            List<Variant> kept = new ArrayList<>();
            for (Variant v : originalVariants) {
                if (base.contains(v.withEma(false)) || base.contains(v)) {
                    kept.add(v);
                }
            }
            base = kept;
        }
        List<Variant> out = new ArrayList<>();
        for (Variant v : base) {
            if (v.ema()) {
                if (!out.contains(v)) {
                    out.add(v);
                }
                continue;
            }
            for (boolean ema : emaModes) {
                Variant x = v.withEma(ema);
                if (!out.contains(x)) {
                    out.add(x);
                }
            }
        }
        return out;
    }

    /** Orders the transformer is trained on (default: every order). */
    public List<StreamOrder> transformerOrders() { return transformerOrders; }

    /** Whether {@code encoder} is trained on {@code order}. */
    public boolean trains(EncoderType encoder, StreamOrder order) {
        return orders.contains(order) && (encoder != EncoderType.TRANSFORMER || transformerOrders.contains(order));
    }

    /** Seeds of the transformer runs (the first {@code transformerSeeds} of {@link #seedList()}). */
    public int transformerSeeds() { return transformerSeeds; }

    /** Seeds of the sweep (the first {@code sweepSeeds} of {@link #seedList()}). */
    public int sweepSeeds() { return sweepSeeds; }

    /** Variants of the ORIGINAL order, or null for the same as the shuffled order. */
    public List<Variant> originalVariants() { return originalVariants; }

    /** Whether each variant runs without (false) and/or with (true) the Bregman/EMA term. */
    public List<Boolean> emaModes() { return emaModes; }

    /** Stream orders. */
    public List<StreamOrder> orders() { return orders; }

    /** Maximum tokens per mail. */
    public int maxLength() { return maxLength; }

    /** Mini-batch size. */
    public int batchSize() { return batchSize; }

    /** Training perturbation radius (LINF). */
    public double epsilon() { return epsilon; }

    /** Ascent step size (NaN = the learner's default). */
    public double alpha() { return alpha; }

    /** Learning rate. */
    public double learningRate() { return learningRate; }

    /** Bregman weight mu when the EMA term is on. */
    public double mu() { return mu; }

    /** EMA momentum beta. */
    public double beta() { return beta; }

    /** Learning-rate warm-up in updates (-1 = the learner's default). */
    public int warmup() { return warmup; }

    /** Radius of the PGD-10/PGD-20 evaluation attacks (the same for every variant). */
    public double attackEpsilon() { return attackEpsilon; }

    /** Random restarts of the PGD-10 and PGD-20 evaluation attacks. */
    public int pgdRestarts() { return pgdRestarts; }

    /** Held-out mails per class attacked with the discrete edits. */
    public int discreteExamples() { return discreteExamples; }

    /** Edits allowed per mail by the discrete attacks. */
    public int discreteBudget() { return discreteBudget; }

    /** Most important words of a mail the discrete attacks may edit. */
    public int discreteTopWords() { return discreteTopWords; }

    /** Whether the drift scenario runs. */
    public boolean drift() { return drift; }

    /** Variants of the drift scenario (each without and with EMA). */
    public List<Variant> driftVariants() { return driftVariants; }

    /** Training events per drift phase. */
    public int driftPhaseEvents() { return driftPhaseEvents; }

    /** Held-out mails per drift phase. */
    public int driftHeldOut() { return driftHeldOut; }

    /** Batches in the rolling prequential window of the drift scenario. */
    public int driftWindow() { return driftWindow; }

    /** Recovery tolerance: rolling accuracy back within this of the pre-shift level. */
    public double driftTolerance() { return driftTolerance; }

    /** Batches between drift-KL measurements. */
    public int driftKlEvery() { return driftKlEvery; }

    /** Catastrophic overfitting: robust probe accuracy this far below its running maximum. */
    public double collapseDrop() { return collapseDrop; }

    /** ... while clean probe accuracy stays within this of its value at the maximum. */
    public double collapseCleanTolerance() { return collapseCleanTolerance; }

    /** Running maxima below this are too small to collapse from. */
    public double collapseMinPeak() { return collapseMinPeak; }

    /** Probes with a clean accuracy below this cannot be a peak of robust accuracy. */
    public double collapseMinClean() { return collapseMinClean; }

    /** Whether the one-at-a-time hyperparameter sweep runs. */
    public boolean sweep() { return sweep; }

    /** The variant the sweep perturbs. */
    public Variant sweepVariant() { return sweepVariant; }

    /** Hyperparameters the sweep changes (names of {@link Variant#OVERRIDE_NAMES}). */
    public List<String> sweepParams() { return sweepParams; }

    /** PyTorch intra-op threads (0 = the engine's default). */
    public int threads() { return threads; }

    /** The markdown report. */
    public Path markdown() { return markdown; }

    /** The directory of the JSON results. */
    public Path jsonDir() { return jsonDir; }

    /** The command line recorded in the report. */
    public String commandLine() { return commandLine; }

    /** Builder of {@link StudySettings}; every option has a default, {@link #build()} validates. */
    public static final class Builder {
        private int seeds = 3;
        private long firstSeed = 1;
        private int limit = 0;
        private int heldOut = 600;
        private int probeSize = 64;
        private int probeEvery = 10;
        private List<EncoderType> encoders = List.of(EncoderType.POOLED, EncoderType.TRANSFORMER);
        private List<Variant> variants = parseAll(FULL_VARIANTS);
        private List<Variant> transformerVariants;
        private List<Variant> originalVariants;
        private int transformerSeeds;
        private List<StreamOrder> transformerOrders;
        private int sweepSeeds;
        private List<Boolean> emaModes = List.of(false, true);
        private List<StreamOrder> orders = List.of(StreamOrder.SHUFFLED, StreamOrder.ORIGINAL);
        private int maxLength = 64;
        private int batchSize = 32;
        private double epsilon = 0.05;
        private double alpha = Double.NaN;
        private double learningRate = io.bulwark.model.LearnerConfig.builder().build().learningRate();
        private double mu = 1.0;
        private double beta = 0.99;
        private int warmup = -1;
        private double attackEpsilon = Double.NaN;
        private int pgdRestarts = 2;
        private int discreteExamples = 50;
        private int discreteBudget = 4;
        private int discreteTopWords = 8;
        private boolean drift = true;
        private List<Variant> driftVariants = parseAll(List.of("natural", "freeat-4"));
        private int driftPhaseEvents = 1200;
        private int driftHeldOut = 200;
        private int driftWindow = 5;
        private double driftTolerance = 0.05;
        private int driftKlEvery = 2;
        private double collapseDrop = 0.20;
        private double collapseCleanTolerance = 0.05;
        private double collapseMinPeak = 0.20;
        private double collapseMinClean = 0.80;
        private boolean sweep = true;
        private Variant sweepVariant = Variant.parse("freeat-4");
        private List<String> sweepParams = Variant.OVERRIDE_NAMES;
        private int threads = 1;
        private Path markdown = Path.of("docs/results.md");
        private Path jsonDir = Path.of("study/target/study");
        private String commandLine = "";

        private Builder() {}

        /** Parses variant names. */
        public static List<Variant> parseAll(List<String> names) {
            List<Variant> out = new ArrayList<>();
            for (String n : names) {
                out.add(Variant.parse(n));
            }
            return out;
        }

        /** Sets the seeds per configuration (default 3). */
        public Builder optSeeds(int v) { seeds = v; return this; }

        /** Sets the first seed (default 1). */
        public Builder optFirstSeed(long v) { firstSeed = v; return this; }

        /** Sets the training events per stream, 0 = all (default 0). */
        public Builder optLimit(int v) { limit = v; return this; }

        /** Sets the held-out mails (default 600). */
        public Builder optHeldOut(int v) { heldOut = v; return this; }

        /** Sets the probe size (default 64). */
        public Builder optProbeSize(int v) { probeSize = v; return this; }

        /** Sets the batches between probes (default 10). */
        public Builder optProbeEvery(int v) { probeEvery = v; return this; }

        /** Sets the encoders (default pooled, transformer). */
        public Builder optEncoders(List<EncoderType> v) { encoders = List.copyOf(v); return this; }

        /** Sets the variants (default {@link #FULL_VARIANTS}). */
        public Builder optVariants(List<Variant> v) { variants = List.copyOf(v); return this; }

        /** Sets the transformer's variants (default: the same as {@link #optVariants}). */
        public Builder optTransformerVariants(List<Variant> v) {
            transformerVariants = v == null ? null : List.copyOf(v);
            return this;
        }

        /** Restricts the ORIGINAL order to these variants (default: the same as the shuffled order). */
        public Builder optOriginalVariants(List<Variant> v) {
            originalVariants = v == null ? null : List.copyOf(v);
            return this;
        }

        /** Sets the seeds of the transformer runs, 0 = all (default 0). */
        public Builder optTransformerSeeds(int v) { transformerSeeds = v; return this; }

        /** Sets the orders the transformer is trained on (default: every order). */
        public Builder optTransformerOrders(List<StreamOrder> v) {
            transformerOrders = v == null ? null : List.copyOf(v);
            return this;
        }

        /** Sets the seeds of the sweep, 0 = all (default 0). */
        public Builder optSweepSeeds(int v) { sweepSeeds = v; return this; }

        /** Sets the EMA modes (default both: false, true). */
        public Builder optEmaModes(List<Boolean> v) { emaModes = List.copyOf(v); return this; }

        /** Sets the stream orders (default shuffled, original). */
        public Builder optOrders(List<StreamOrder> v) { orders = List.copyOf(v); return this; }

        /** Sets the maximum tokens per mail (default 64). */
        public Builder optMaxLength(int v) { maxLength = v; return this; }

        /** Sets the batch size (default 32). */
        public Builder optBatchSize(int v) { batchSize = v; return this; }

        /** Sets the training radius (default 0.05). */
        public Builder optEpsilon(double v) { epsilon = v; return this; }

        /** Sets the ascent step (default: the learner's). */
        public Builder optAlpha(double v) { alpha = v; return this; }

        /** Sets the learning rate (default: the learner's). */
        public Builder optLearningRate(double v) { learningRate = v; return this; }

        /** Sets mu (default 1.0). */
        public Builder optMu(double v) { mu = v; return this; }

        /** Sets beta (default 0.99). */
        public Builder optBeta(double v) { beta = v; return this; }

        /** Sets the learning-rate warm-up in updates, -1 = the learner's default (default -1). */
        public Builder optWarmup(int v) { warmup = v; return this; }

        /** Sets the evaluation attacks' radius (default: the training radius). */
        public Builder optAttackEpsilon(double v) { attackEpsilon = v; return this; }

        /** Sets the PGD restarts (default 2). */
        public Builder optPgdRestarts(int v) { pgdRestarts = v; return this; }

        /** Sets the discrete-attack mails per class (default 50). */
        public Builder optDiscreteExamples(int v) { discreteExamples = v; return this; }

        /** Sets the discrete-attack edit budget (default 4). */
        public Builder optDiscreteBudget(int v) { discreteBudget = v; return this; }

        /** Sets the words the discrete attacks consider (default 8). */
        public Builder optDiscreteTopWords(int v) { discreteTopWords = v; return this; }

        /** Sets whether the drift scenario runs (default true). */
        public Builder optDrift(boolean v) { drift = v; return this; }

        /** Sets the drift variants (default natural, freeat-4). */
        public Builder optDriftVariants(List<Variant> v) { driftVariants = List.copyOf(v); return this; }

        /** Sets the training events per drift phase (default 1200). */
        public Builder optDriftPhaseEvents(int v) { driftPhaseEvents = v; return this; }

        /** Sets the held-out mails per drift phase (default 200). */
        public Builder optDriftHeldOut(int v) { driftHeldOut = v; return this; }

        /** Sets the rolling window in batches (default 5). */
        public Builder optDriftWindow(int v) { driftWindow = v; return this; }

        /** Sets the recovery tolerance (default 0.05). */
        public Builder optDriftTolerance(double v) { driftTolerance = v; return this; }

        /** Sets the batches between drift-KL measurements (default 2). */
        public Builder optDriftKlEvery(int v) { driftKlEvery = v; return this; }

        /** Sets the collapse drop (default 0.20). */
        public Builder optCollapseDrop(double v) { collapseDrop = v; return this; }

        /** Sets the clean tolerance of a collapse (default 0.05). */
        public Builder optCollapseCleanTolerance(double v) { collapseCleanTolerance = v; return this; }

        /** Sets the minimum peak of a collapse (default 0.20). */
        public Builder optCollapseMinPeak(double v) { collapseMinPeak = v; return this; }

        /** Sets the clean accuracy a probe needs to count as a peak (default 0.80). */
        public Builder optCollapseMinClean(double v) { collapseMinClean = v; return this; }

        /** Sets whether the sweep runs (default true). */
        public Builder optSweep(boolean v) { sweep = v; return this; }

        /** Sets the swept variant (default freeat-4). */
        public Builder optSweepVariant(Variant v) { sweepVariant = Objects.requireNonNull(v); return this; }

        /** Sets the hyperparameters the sweep changes (default: all of eps, alpha, lr, mu, beta, warmup, ramp). */
        public Builder optSweepParams(List<String> v) { sweepParams = List.copyOf(v); return this; }

        /** Sets the PyTorch intra-op threads, 0 = engine default (default 1). */
        public Builder optThreads(int v) { threads = v; return this; }

        /** Sets the markdown report (default docs/results.md). */
        public Builder optMarkdown(Path v) { markdown = Objects.requireNonNull(v); return this; }

        /** Sets the JSON directory (default study/target/study). */
        public Builder optJsonDir(Path v) { jsonDir = Objects.requireNonNull(v); return this; }

        /** Sets the command line recorded in the report. */
        public Builder optCommandLine(String v) { commandLine = v == null ? "" : v; return this; }

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
}
