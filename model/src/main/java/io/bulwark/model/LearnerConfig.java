package io.bulwark.model;

import io.bulwark.model.encoding.Normalization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable, validated configuration of a {@link Learner}: encoding, network, strategy, regularisers, optimizer,
 * batch size and seed. Every setting is a parameter of {@link LearnerParams}, which gives its key, flag, default,
 * rule and description ({@code docs/learner-params.md} is generated from it).
 *
 * <p>Why the defaults are what they are: epsilon 0.05 under L-inf moves each embedding coordinate by at most half a
 * standard deviation of its initialisation (0.1); FreeAT steps delta by alpha = epsilon (the paper's choice; eps/m
 * was 2 points less robust in the study), PGD and FreeLB by Madry et al.'s 2.5 epsilon / K; the radius ramps up over
 * the first 2000 examples, without which PGD training from scratch on the bundled stream ended as a one-class
 * model with the Transformer encoder; the learning rate 8e-3 and 10 warm-up updates come from the study's sweep
 * (with 100, one-update-per-batch strategies barely learned on short streams); the Bregman term is off (mu 0)
 * because in the study it cost about 3 points of prequential accuracy and 1.5-2.4x the step time.
 *
 * <p>{@code LearnerConfig.builder().optStrategy(StrategyType.FREEAT).optSteps(4).optEpsilon(0.05).build()}
 */
public final class LearnerConfig implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** The network between the embeddings and the head. */
    public enum EncoderType { POOLED, TRANSFORMER }

    /** How each mini-batch is trained. */
    public enum StrategyType { NATURAL, PGD, FREEAT, FREELB, YOPO }

    /** The norm of the perturbation ball. */
    public enum NormType { LINF, L2 }

    /** The parameter update rule. */
    public enum OptimizerType { ADAM, ADAMW }

    /** Learning rate after warm-up: constant, or decaying as sqrt(warmup / step). */
    public enum ScheduleType { CONSTANT, INVERSE_SQRT }

    private final EncoderType encoderType;
    private final int buckets;
    private final int maxLength;
    private final int charNgrams;
    private final int maxNgramsPerToken;
    private final Normalization normalization;
    private final int embeddingDim;
    private final int hiddenDim;
    private final int layers;
    private final int heads;
    private final double dropout;
    private final List<String> labels;
    private final int maxLabels;
    private final StrategyType strategy;
    private final int steps;
    private final AdversaryConfig adversary;
    private final NormType norm;
    private final double epsilon;
    private final double alpha;
    private final double initMagnitude;
    private final long epsilonRamp;
    private final double smartWeight;
    private final int smartSteps;
    private final boolean vatOnUnlabeled;
    private final double bregmanWeight;
    private final double emaMomentum;
    private final OptimizerType optimizer;
    private final ScheduleType schedule;
    private final double learningRate;
    private final double weightDecay;
    private final int warmupSteps;
    private final double clipNorm;
    private final int batchSize;
    private final long seed;
    private final ContinualConfig continual;

    private LearnerConfig(Builder b) {
        encoderType = b.encoderType;
        buckets = b.buckets;
        maxLength = b.maxLength;
        charNgrams = b.charNgrams;
        maxNgramsPerToken = b.maxNgramsPerToken;
        normalization = b.normalization;
        embeddingDim = b.embeddingDim;
        hiddenDim = b.hiddenDim;
        layers = b.layers;
        heads = b.heads;
        dropout = b.dropout;
        labels = List.copyOf(b.labels);
        maxLabels = b.maxLabels;
        strategy = b.strategy;
        steps = b.steps;
        adversary = b.adversary;
        norm = b.norm;
        epsilon = b.epsilon;
        alpha = Double.isNaN(b.alpha) ? defaultAlpha(b.strategy, b.epsilon, b.steps, b.adversary.innerSteps()) : b.alpha;
        initMagnitude = Double.isNaN(b.initMagnitude) ? b.epsilon : b.initMagnitude;
        epsilonRamp = b.epsilonRamp;
        smartWeight = b.smartWeight;
        smartSteps = b.smartSteps;
        vatOnUnlabeled = b.vatOnUnlabeled;
        bregmanWeight = b.bregmanWeight;
        emaMomentum = b.emaMomentum;
        optimizer = b.optimizer;
        schedule = b.schedule;
        learningRate = b.learningRate;
        weightDecay = b.weightDecay;
        warmupSteps = b.warmupSteps;
        clipNorm = b.clipNorm;
        batchSize = b.batchSize;
        seed = b.seed;
        continual = b.continual;
    }

    private static double defaultAlpha(StrategyType strategy, double epsilon, int steps, int innerSteps) {
        // FreeAT: the paper's step, alpha = eps (its carried delta takes one full-size sign step per replay; eps/m
        // was 2 points less robust in the study's sweep). PGD and FreeLB start afresh each batch and use Madry et
        // al.'s 2.5 * eps / K; YOPO likewise over its m * n delta steps.
        return switch (strategy) {
            case FREEAT -> epsilon;
            case YOPO -> 2.5 * epsilon / (steps * (double) innerSteps);
            default -> 2.5 * epsilon / steps;
        };
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values (alpha and init magnitude are kept as explicit values). */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (ConfigBindings.Binding<?> binding : ConfigBindings.ALL) {
            binding.copy(this, b);
        }
        return b;
    }

    // ---- map form: generated from the parameter table ------------------------------------------------------

    /** Map key prefix of the encoding and network-shape settings. */
    public static final String ENCODER_PREFIX = "encoder.";

    /**
     * Every setting by its key in {@link LearnerParams} (values as strings). {@code fromMap(c.toMap())} equals
     * {@code c}; snapshots and checkpoints store this map.
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConfigBindings.Binding<?> b : ConfigBindings.ALL) {
            m.put(b.param().key(), b.format(this));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * A configuration from a (possibly partial) map of {@link #toMap()} keys; missing keys take their defaults.
     *
     * @throws IllegalArgumentException listing every unknown key, unparseable value and broken rule
     */
    public static LearnerConfig fromMap(Map<String, String> map) {
        return builder().optValues(map).build();
    }

    /**
     * Parses a map stored with a saved model (snapshot or checkpoint): like {@link #fromMap}, except for keys
     * written before they existed: without {@code encoder.normalization} the model gets {@link Normalization#BASIC},
     * and without any {@code continual.*} key the continual parts are off ({@link ContinualConfig#OFF}), so the model
     * encodes and predicts exactly as it was trained to.
     */
    public static LearnerConfig fromStoredMap(Map<String, String> map) {
        Map<String, String> m = new LinkedHashMap<>(map);
        m.putIfAbsent(LearnerParams.NORMALIZATION.key(), Normalization.BASIC.name());
        m.putIfAbsent(LearnerParams.CONTINUAL_PROBE.key(), "0"); // stored before the probe existed: none
        m.putIfAbsent(LearnerParams.CONTINUAL_PROBE_INJECTED.key(), "0"); // stored before injected copies existed
        Builder b = builder();
        if (map.keySet().stream().noneMatch(k -> k.startsWith(ContinualConfig.PREFIX))) {
            b.optContinual(ContinualConfig.OFF);
        } else { // stored before the complement estimate existed: multinomial
            m.putIfAbsent(LearnerParams.CONTINUAL_NAIVE_BAYES.key(), ContinualConfig.NaiveBayesKind.MULTINOMIAL.name());
        }
        return b.optValues(m).build();
    }

    /** The problems of a (possibly partial) settings map, all at once; empty when {@link #fromMap} accepts it. */
    public static List<String> problems(Map<String, String> map) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            ConfigBindings.Binding<?> binding = ConfigBindings.byKey(e.getKey());
            if (binding == null) {
                problems.add("unknown learner configuration key '" + e.getKey() + "'");
            } else {
                addIfProblem(problems, binding.check(e.getValue()));
            }
        }
        if (problems.isEmpty()) {
            try {
                fromMap(map);
            } catch (IllegalArgumentException e) {
                String prefix = "Invalid learner configuration: ";
                String m = e.getMessage();
                problems.addAll(List.of((m.startsWith(prefix) ? m.substring(prefix.length()) : m).split("; ")));
            }
        }
        return problems;
    }

    private static void addIfProblem(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    // ---- getters: one per parameter of LearnerParams ----------------------------------------------------------

    public EncoderType encoderType() { return encoderType; }
    public int buckets() { return buckets; }
    public int maxLength() { return maxLength; }
    public int charNgrams() { return charNgrams; }
    public int maxNgramsPerToken() { return maxNgramsPerToken; }
    public Normalization normalization() { return normalization; }
    public int embeddingDim() { return embeddingDim; }
    public int hiddenDim() { return hiddenDim; }
    public int layers() { return layers; }
    public int heads() { return heads; }
    public double dropout() { return dropout; }
    public List<String> labels() { return labels; }
    public int maxLabels() { return maxLabels; }
    public StrategyType strategy() { return strategy; }
    public int steps() { return steps; }

    /** YOPO's n, FreeAT's delta bank and discrete substitutions, and the unit of epsilon. */
    public AdversaryConfig adversary() { return adversary; }
    public NormType norm() { return norm; }
    public double epsilon() { return epsilon; }
    public double alpha() { return alpha; }
    public double initMagnitude() { return initMagnitude; }

    /**
     * Length of the perturbation-radius ramp in training examples (0 = off): epsilon, alpha and the initial
     * magnitude grow linearly from 0 to their values over the first {@code epsilonRamp} examples the learner trains
     * on, so that the adversary does not overwhelm a model that has not learned anything yet.
     */
    public long epsilonRamp() { return epsilonRamp; }
    /** The factor in (0, 1] of the radius ramp after {@code examplesTrained} training examples. */
    public double rampFactor(long examplesTrained) {
        if (epsilonRamp <= 0 || examplesTrained >= epsilonRamp) {
            return 1.0;
        }
        return Math.max(1, examplesTrained) / (double) epsilonRamp;
    }

    public double smartWeight() { return smartWeight; }
    public int smartSteps() { return smartSteps; }
    public boolean vatOnUnlabeled() { return vatOnUnlabeled; }
    public double bregmanWeight() { return bregmanWeight; }
    public double emaMomentum() { return emaMomentum; }
    public OptimizerType optimizer() { return optimizer; }
    public ScheduleType schedule() { return schedule; }
    public double learningRate() { return learningRate; }
    public double weightDecay() { return weightDecay; }
    public int warmupSteps() { return warmupSteps; }
    public double clipNorm() { return clipNorm; }
    public int batchSize() { return batchSize; }
    public long seed() { return seed; }
    public boolean hasTeacher() { return bregmanWeight > 0; }

    /** The wide side, mixture of experts and replay reservoir beside the network. */
    public ContinualConfig continual() { return continual; }
    public int outputSize() { return labels.isEmpty() ? maxLabels : labels.size(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearnerConfig other && toMap().equals(other.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "LearnerConfig" + toMap();
    }

    /**
     * Builder of {@link LearnerConfig}; every option has a default, {@link #build()} validates.
     *
     * <p>{@code LearnerConfig.builder().optEncoderType(EncoderType.TRANSFORMER).optStrategy(StrategyType.FREELB).build()}
     */
    public static final class Builder {
        private EncoderType encoderType = LearnerParams.ENCODER_TYPE.defaultValue();
        private int buckets = LearnerParams.BUCKETS.defaultValue();
        private int maxLength = LearnerParams.MAX_LENGTH.defaultValue();
        private int charNgrams = LearnerParams.CHAR_NGRAMS.defaultValue();
        private int maxNgramsPerToken = LearnerParams.MAX_NGRAMS.defaultValue();
        private Normalization normalization = LearnerParams.NORMALIZATION.defaultValue();
        private int embeddingDim = LearnerParams.EMBEDDING_DIM.defaultValue();
        private int hiddenDim = LearnerParams.HIDDEN_DIM.defaultValue();
        private int layers = LearnerParams.LAYERS.defaultValue();
        private int heads = LearnerParams.HEADS.defaultValue();
        private double dropout = LearnerParams.DROPOUT.defaultValue();
        private List<String> labels = new ArrayList<>(LearnerParams.LABELS.defaultValue());
        private int maxLabels = LearnerParams.MAX_LABELS.defaultValue();
        private StrategyType strategy = LearnerParams.STRATEGY.defaultValue();
        private int steps = LearnerParams.STEPS.defaultValue();
        private AdversaryConfig adversary = AdversaryConfig.DEFAULTS;
        private NormType norm = LearnerParams.NORM.defaultValue();
        private double epsilon = LearnerParams.EPSILON.defaultValue();
        private double alpha = Double.NaN;
        private double initMagnitude = Double.NaN;
        private long epsilonRamp = LearnerParams.EPSILON_RAMP.defaultValue();
        private double smartWeight = LearnerParams.SMART_WEIGHT.defaultValue();
        private int smartSteps = LearnerParams.SMART_STEPS.defaultValue();
        private boolean vatOnUnlabeled = LearnerParams.VAT.defaultValue();
        private double bregmanWeight = LearnerParams.BREGMAN_WEIGHT.defaultValue();
        private double emaMomentum = LearnerParams.EMA_MOMENTUM.defaultValue();
        private OptimizerType optimizer = LearnerParams.OPTIMIZER.defaultValue();
        private ScheduleType schedule = LearnerParams.SCHEDULE.defaultValue();
        private double learningRate = LearnerParams.LEARNING_RATE.defaultValue();
        private double weightDecay = LearnerParams.WEIGHT_DECAY.defaultValue();
        private int warmupSteps = LearnerParams.WARMUP.defaultValue();
        private double clipNorm = LearnerParams.CLIP_NORM.defaultValue();
        private int batchSize = LearnerParams.BATCH_SIZE.defaultValue();
        private long seed = LearnerParams.SEED.defaultValue();
        private ContinualConfig continual = ContinualConfig.DEFAULTS;

        private Builder() {}

        /**
         * Sets parameters by their {@link LearnerParams} keys from strings; values not given keep what the builder
         * holds (alpha and the init magnitude stay derived from epsilon unless given).
         *
         * @throws IllegalArgumentException listing every unknown key and unparseable value
         */
        public Builder optValues(Map<String, String> values) {
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, String> e : values.entrySet()) {
                ConfigBindings.Binding<?> binding = ConfigBindings.byKey(e.getKey());
                if (binding == null) {
                    problems.add("unknown learner configuration key '" + e.getKey() + "'");
                    continue;
                }
                try {
                    binding.parseInto(this, e.getValue());
                } catch (IllegalArgumentException ex) {
                    problems.add(ex.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid learner configuration: " + String.join("; ", problems)
                        + (problems.stream().anyMatch(p -> p.startsWith("unknown"))
                                ? " (known keys: " + LearnerParams.ALL + ")" : ""));
            }
            return this;
        }

        /** Sets the encoder network (default POOLED). */
        public Builder optEncoderType(EncoderType v) { encoderType = Objects.requireNonNull(v, "encoderType"); return this; }

        /** Sets the number of hash buckets (default 32768). */
        public Builder optBuckets(int v) { buckets = v; return this; }

        /** Sets the maximum tokens per text (default 64). */
        public Builder optMaxLength(int v) { maxLength = v; return this; }

        /** Sets the character n-gram length, 0 = off (default 3). */
        public Builder optCharNgrams(int v) { charNgrams = v; return this; }

        /** Sets the maximum character n-grams per word (default 12). */
        public Builder optMaxNgramsPerToken(int v) { maxNgramsPerToken = v; return this; }
        public Builder optNormalization(Normalization v) { normalization = Objects.requireNonNull(v, "normalization"); return this; }

        /** Sets the embedding width (default 64). */
        public Builder optEmbeddingDim(int v) { embeddingDim = v; return this; }

        /** Sets the hidden width (default 128). */
        public Builder optHiddenDim(int v) { hiddenDim = v; return this; }

        /** Sets the transformer layers (default 2). */
        public Builder optLayers(int v) { layers = v; return this; }

        /** Sets the attention heads (default 4). */
        public Builder optHeads(int v) { heads = v; return this; }

        /** Sets the dropout probability (default 0.1). */
        public Builder optDropout(double v) { dropout = v; return this; }

        /** Fixes the label set and its output order (default: learned from the stream). */
        public Builder optLabels(List<String> v) { labels = new ArrayList<>(Objects.requireNonNull(v, "labels")); return this; }

        /** Sets the maximum number of labels learned from the stream (default 16). */
        public Builder optMaxLabels(int v) { maxLabels = v; return this; }

        /** Sets the training strategy (default FREEAT). */
        public Builder optStrategy(StrategyType v) { strategy = Objects.requireNonNull(v, "strategy"); return this; }

        /** Sets K (PGD, FreeLB) or m (FreeAT) (default 4). */
        public Builder optSteps(int v) { steps = v; return this; }

        /** Sets the adversary's further options ({@link AdversaryConfig#DEFAULTS}). */
        public Builder optAdversary(AdversaryConfig v) { adversary = Objects.requireNonNull(v, "adversary"); return this; }

        /** The adversary's further options set so far. */
        public AdversaryConfig adversary() { return adversary; }

        /** Sets the norm of the perturbation ball (default LINF). */
        public Builder optNorm(NormType v) { norm = Objects.requireNonNull(v, "norm"); return this; }

        /** Sets the radius of the perturbation ball (default 0.05). */
        public Builder optEpsilon(double v) { epsilon = v; return this; }

        /** Sets the ascent step size (default epsilon for FreeAT, 2.5 epsilon / K otherwise). */
        public Builder optAlpha(double v) { alpha = v; return this; }

        /** Sets FreeLB's initial perturbation magnitude (default epsilon). */
        public Builder optInitMagnitude(double v) { initMagnitude = v; return this; }

        /** Sets the length of the perturbation-radius ramp in training examples, 0 = off (default 2000). */
        public Builder optEpsilonRamp(long v) { epsilonRamp = v; return this; }
        /** Sets the SMART smoothness weight, 0 = off (default 0). */
        public Builder optSmartWeight(double v) { smartWeight = v; return this; }

        /** Sets the smoothness term's ascent steps (default 1). */
        public Builder optSmartSteps(int v) { smartSteps = v; return this; }

        /** Sets whether unlabeled examples train the smoothness term (default true). */
        public Builder optVatOnUnlabeled(boolean v) { vatOnUnlabeled = v; return this; }

        /** Sets the Bregman proximal weight mu, 0 = off (default 1.0). */
        public Builder optBregmanWeight(double v) { bregmanWeight = v; return this; }

        /** Sets the EMA teacher momentum beta (default 0.99). */
        public Builder optEmaMomentum(double v) { emaMomentum = v; return this; }

        /** Sets the update rule (default ADAMW). */
        public Builder optOptimizer(OptimizerType v) { optimizer = Objects.requireNonNull(v, "optimizer"); return this; }

        /** Sets the learning-rate schedule after warm-up (default CONSTANT). */
        public Builder optSchedule(ScheduleType v) { schedule = Objects.requireNonNull(v, "schedule"); return this; }

        /** Sets the peak learning rate (default 3e-3). */
        public Builder optLearningRate(double v) { learningRate = v; return this; }

        /** Sets the weight decay (default 0.01). */
        public Builder optWeightDecay(double v) { weightDecay = v; return this; }

        /** Sets the warm-up updates (default 100). */
        public Builder optWarmupSteps(int v) { warmupSteps = v; return this; }

        /** Sets the gradient clipping norm, 0 = off (default 1.0). */
        public Builder optClipNorm(double v) { clipNorm = v; return this; }

        /** Sets the mini-batch size (default 32). */
        public Builder optBatchSize(int v) { batchSize = v; return this; }

        /** Sets the seed (default 42). */
        public Builder optSeed(long v) { seed = v; return this; }

        /** Sets the wide side, mixture and replay at once ({@link ContinualConfig#DEFAULTS}; {@code continual.*}). */
        public Builder optContinual(ContinualConfig v) { continual = Objects.requireNonNull(v, "continual"); return this; }

        ContinualConfig continual() { return continual; }

        /**
         * Validates and builds the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid option
         */
        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException listing every broken rule of {@link LearnerParams} and every
         *     inconsistency between parameters
         */
        public LearnerConfig build() {
            List<String> problems = new ArrayList<>();
            // alpha and initMagnitude are NaN until resolved from epsilon: check the explicit values only.
            if (!Double.isNaN(alpha)) {
                addIfProblem(problems, LearnerParams.ALPHA.problem(alpha));
            }
            if (!Double.isNaN(initMagnitude)) {
                addIfProblem(problems, LearnerParams.INIT_MAGNITUDE.problem(initMagnitude));
            }
            LearnerConfig config = new LearnerConfig(this);
            for (ConfigBindings.Binding<?> b : ConfigBindings.ALL) {
                if (b.param() != LearnerParams.ALPHA && b.param() != LearnerParams.INIT_MAGNITUDE) {
                    addIfProblem(problems, b.problem(config));
                }
            }
            if (encoderType == EncoderType.TRANSFORMER && embeddingDim % heads != 0) {
                problems.add("encoder.embeddingDim (" + embeddingDim + ") must be divisible by encoder.heads ("
                        + heads + ")");
            }
            Set<String> seen = new HashSet<>();
            for (String l : labels) {
                if (l == null || l.isEmpty()) {
                    problems.add("labels.fixed must hold non-empty strings");
                } else if (!seen.add(l)) {
                    problems.add("labels.fixed holds '" + l + "' twice");
                }
            }
            if (labels.size() > maxLabels) {
                problems.add(labels.size() + " fixed labels exceed labels.max " + maxLabels);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid learner configuration: " + String.join("; ", problems));
            }
            return config;
        }
    }
}
