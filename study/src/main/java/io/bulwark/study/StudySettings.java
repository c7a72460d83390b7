package io.bulwark.study;

import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.data.StreamOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    StudySettings(StudySettingsBuilder b) {
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
    public static StudySettingsBuilder builder() {
        return new StudySettingsBuilder();
    }

    /** The tiny smoke configuration (1 seed, 200 events, pooled, natural and FreeAT-2) writing under {@code dir}. */
    public static StudySettingsBuilder quick(Path dir) {
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
}
