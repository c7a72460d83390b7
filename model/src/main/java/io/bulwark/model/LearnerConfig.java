package io.bulwark.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.model.continual.ContinualConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable, validated configuration of a {@link Learner}: encoding, network, strategy, regularisers, optimizer, seed.
 *
 * <p>Defaults (chosen for CPU streaming of e-mail/chat sized texts; see the model README):
 *
 * <ul>
 *   <li>encoding: 32768 hash buckets (bucket 0 is padding), max length 64 tokens, char 3-grams on (at most 12 per
 *       word, folded into the word's vector so spelling variants such as "v1agra"/"viagra" share buckets);
 *   <li>network: {@link EncoderType#POOLED}, embedding 64, hidden 128, dropout 0.1 (transformer: 2 layers, 4 heads,
 *       FFN width = hidden);
 *   <li>strategy: {@link StrategyType#FREEAT} with m = 4 replays, {@link NormType#LINF} epsilon 0.05 (embeddings are
 *       initialised with std 0.1, so the ball moves each coordinate by at most half a standard deviation), alpha =
 *       epsilon for FreeAT (the paper's choice) and 2.5 epsilon / K for PGD and FreeLB (Madry's rule), FreeLB init magnitude =
 *       epsilon; the radius (and alpha) ramps up linearly over the first 2000 training examples, without which PGD
 *       training from scratch on the bundled stream ended as a one-class model with the transformer encoder;
 *   <li>regularisers: SMART smoothness off (weight 0, 1 ascent step, VAT on unlabeled examples when on); Bregman
 *       proximal term off (mu 0; beta 0.99 when on). In the study (docs/results.md) it reduced forgetting after
 *       the 2002-to-2003 shift but cost about 3 points of prequential accuracy and 1.5-2.4x the step time;
 *   <li>optimizer: AdamW, learning rate 8e-3 (the study's sweep), weight decay 0.01, 10 linear warm-up
 *       updates then constant (with 100, one-update-per-batch strategies barely learned on short streams), global
 *       gradient-norm clipping at 1.0;
 *   <li>batch size 32, seed 42, at most 16 labels learned from the stream when no fixed label set is given.
 * </ul>
 *
 * <p>{@code LearnerConfig.builder().optStrategy(StrategyType.FREEAT).optSteps(4).optEpsilon(0.05).build()}
 */
public final class LearnerConfig {

    /** The network between the embeddings and the head. */
    public enum EncoderType { POOLED, TRANSFORMER }

    /** How each mini-batch is trained. */
    public enum StrategyType { NATURAL, PGD, FREEAT, FREELB }

    /** The norm of the perturbation ball. */
    public enum NormType { LINF, L2 }

    /** The parameter update rule. */
    public enum OptimizerType { ADAM, ADAMW }

    /** Learning rate after warm-up: constant, or decaying as sqrt(warmup / step). */
    public enum ScheduleType { CONSTANT, INVERSE_SQRT }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EncoderType encoderType;
    private final int buckets;
    private final int maxLength;
    private final int charNgrams;
    private final int maxNgramsPerToken;
    private final int embeddingDim;
    private final int hiddenDim;
    private final int layers;
    private final int heads;
    private final double dropout;
    private final List<String> labels;
    private final int maxLabels;
    private final StrategyType strategy;
    private final int steps;
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
        embeddingDim = b.embeddingDim;
        hiddenDim = b.hiddenDim;
        layers = b.layers;
        heads = b.heads;
        dropout = b.dropout;
        labels = List.copyOf(b.labels);
        maxLabels = b.maxLabels;
        strategy = b.strategy;
        steps = b.steps;
        norm = b.norm;
        epsilon = b.epsilon;
        alpha = Double.isNaN(b.alpha) ? defaultAlpha(b.strategy, b.epsilon, b.steps) : b.alpha;
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

    private static double defaultAlpha(StrategyType strategy, double epsilon, int steps) {
        // FreeAT: the paper's step, alpha = eps (its carried delta takes one full-size sign step per replay; eps/m
        // was 2 points less robust in the study's sweep). PGD and FreeLB start afresh each batch and use Madry et
        // al.'s 2.5 * eps / K.
        return strategy == StrategyType.FREEAT ? epsilon : 2.5 * epsilon / steps;
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values (alpha and init magnitude are kept as explicit values). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.encoderType = encoderType;
        b.buckets = buckets;
        b.maxLength = maxLength;
        b.charNgrams = charNgrams;
        b.maxNgramsPerToken = maxNgramsPerToken;
        b.embeddingDim = embeddingDim;
        b.hiddenDim = hiddenDim;
        b.layers = layers;
        b.heads = heads;
        b.dropout = dropout;
        b.labels = new ArrayList<>(labels);
        b.maxLabels = maxLabels;
        b.strategy = strategy;
        b.steps = steps;
        b.norm = norm;
        b.epsilon = epsilon;
        b.alpha = alpha;
        b.initMagnitude = initMagnitude;
        b.epsilonRamp = epsilonRamp;
        b.smartWeight = smartWeight;
        b.smartSteps = smartSteps;
        b.vatOnUnlabeled = vatOnUnlabeled;
        b.bregmanWeight = bregmanWeight;
        b.emaMomentum = emaMomentum;
        b.optimizer = optimizer;
        b.schedule = schedule;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.warmupSteps = warmupSteps;
        b.clipNorm = clipNorm;
        b.batchSize = batchSize;
        b.seed = seed;
        b.continual = continual;
        return b;
    }

    // ---- keys of toMap()/fromMap(); "encoder." keys describe text encoding and network shape -------------------

    /** Map key prefix of the encoding and network-shape settings. */
    public static final String ENCODER_PREFIX = "encoder.";

    private static final String K_ENCODER_TYPE = "encoder.type";
    private static final String K_BUCKETS = "encoder.buckets";
    private static final String K_MAX_LENGTH = "encoder.maxLength";
    private static final String K_CHAR_NGRAMS = "encoder.charNgrams";
    private static final String K_MAX_NGRAMS = "encoder.maxNgramsPerToken";
    private static final String K_EMBEDDING_DIM = "encoder.embeddingDim";
    private static final String K_HIDDEN_DIM = "encoder.hiddenDim";
    private static final String K_LAYERS = "encoder.layers";
    private static final String K_HEADS = "encoder.heads";
    private static final String K_DROPOUT = "encoder.dropout";
    private static final String K_LABELS = "labels.fixed";
    private static final String K_MAX_LABELS = "labels.max";
    private static final String K_STRATEGY = "strategy.type";
    private static final String K_STEPS = "strategy.steps";
    private static final String K_NORM = "strategy.norm";
    private static final String K_EPSILON = "strategy.epsilon";
    private static final String K_ALPHA = "strategy.alpha";
    private static final String K_INIT_MAGNITUDE = "strategy.initMagnitude";
    private static final String K_EPSILON_RAMP = "strategy.epsilonRamp";
    private static final String K_SMART_WEIGHT = "smart.weight";
    private static final String K_SMART_STEPS = "smart.steps";
    private static final String K_VAT = "smart.vatOnUnlabeled";
    private static final String K_BREGMAN_WEIGHT = "bregman.weight";
    private static final String K_EMA = "bregman.emaMomentum";
    private static final String K_OPTIMIZER = "optimizer.type";
    private static final String K_SCHEDULE = "optimizer.schedule";
    private static final String K_LR = "optimizer.learningRate";
    private static final String K_WEIGHT_DECAY = "optimizer.weightDecay";
    private static final String K_WARMUP = "optimizer.warmupSteps";
    private static final String K_CLIP = "optimizer.clipNorm";
    private static final String K_BATCH = "train.batchSize";
    private static final String K_SEED = "seed";

    /** Every field as a string map; {@link #fromMap} restores an equal configuration. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(K_ENCODER_TYPE, encoderType.name());
        m.put(K_BUCKETS, Integer.toString(buckets));
        m.put(K_MAX_LENGTH, Integer.toString(maxLength));
        m.put(K_CHAR_NGRAMS, Integer.toString(charNgrams));
        m.put(K_MAX_NGRAMS, Integer.toString(maxNgramsPerToken));
        m.put(K_EMBEDDING_DIM, Integer.toString(embeddingDim));
        m.put(K_HIDDEN_DIM, Integer.toString(hiddenDim));
        m.put(K_LAYERS, Integer.toString(layers));
        m.put(K_HEADS, Integer.toString(heads));
        m.put(K_DROPOUT, Double.toString(dropout));
        try {
            m.put(K_LABELS, JSON.writeValueAsString(labels));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode labels", e);
        }
        m.put(K_MAX_LABELS, Integer.toString(maxLabels));
        m.put(K_STRATEGY, strategy.name());
        m.put(K_STEPS, Integer.toString(steps));
        m.put(K_NORM, norm.name());
        m.put(K_EPSILON, Double.toString(epsilon));
        m.put(K_ALPHA, Double.toString(alpha));
        m.put(K_INIT_MAGNITUDE, Double.toString(initMagnitude));
        m.put(K_EPSILON_RAMP, Long.toString(epsilonRamp));
        m.put(K_SMART_WEIGHT, Double.toString(smartWeight));
        m.put(K_SMART_STEPS, Integer.toString(smartSteps));
        m.put(K_VAT, Boolean.toString(vatOnUnlabeled));
        m.put(K_BREGMAN_WEIGHT, Double.toString(bregmanWeight));
        m.put(K_EMA, Double.toString(emaMomentum));
        m.put(K_OPTIMIZER, optimizer.name());
        m.put(K_SCHEDULE, schedule.name());
        m.put(K_LR, Double.toString(learningRate));
        m.put(K_WEIGHT_DECAY, Double.toString(weightDecay));
        m.put(K_WARMUP, Integer.toString(warmupSteps));
        m.put(K_CLIP, Double.toString(clipNorm));
        m.put(K_BATCH, Integer.toString(batchSize));
        m.put(K_SEED, Long.toString(seed));
        m.putAll(continual.toMap());
        return Collections.unmodifiableMap(m);
    }

    /**
     * Parses a map written by {@link #toMap()}; missing keys take their defaults.
     *
     * @throws IllegalArgumentException on an unknown key, an unparsable value or an invalid configuration
     */
    public static LearnerConfig fromMap(Map<String, String> map) {
        Builder b = builder();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String k = e.getKey();
            String v = e.getValue() == null ? "" : e.getValue().trim();
            try {
                switch (k) {
                    case K_ENCODER_TYPE -> b.optEncoderType(parseEnum(EncoderType.class, v));
                    case K_BUCKETS -> b.optBuckets(Integer.parseInt(v));
                    case K_MAX_LENGTH -> b.optMaxLength(Integer.parseInt(v));
                    case K_CHAR_NGRAMS -> b.optCharNgrams(Integer.parseInt(v));
                    case K_MAX_NGRAMS -> b.optMaxNgramsPerToken(Integer.parseInt(v));
                    case K_EMBEDDING_DIM -> b.optEmbeddingDim(Integer.parseInt(v));
                    case K_HIDDEN_DIM -> b.optHiddenDim(Integer.parseInt(v));
                    case K_LAYERS -> b.optLayers(Integer.parseInt(v));
                    case K_HEADS -> b.optHeads(Integer.parseInt(v));
                    case K_DROPOUT -> b.optDropout(Double.parseDouble(v));
                    case K_LABELS -> b.optLabels(v.isEmpty() ? List.of() : JSON.readValue(v, new TypeReference<List<String>>() {}));
                    case K_MAX_LABELS -> b.optMaxLabels(Integer.parseInt(v));
                    case K_STRATEGY -> b.optStrategy(parseEnum(StrategyType.class, v));
                    case K_STEPS -> b.optSteps(Integer.parseInt(v));
                    case K_NORM -> b.optNorm(parseEnum(NormType.class, v));
                    case K_EPSILON -> b.optEpsilon(Double.parseDouble(v));
                    case K_ALPHA -> b.optAlpha(Double.parseDouble(v));
                    case K_INIT_MAGNITUDE -> b.optInitMagnitude(Double.parseDouble(v));
                    case K_EPSILON_RAMP -> b.optEpsilonRamp(Long.parseLong(v));
                    case K_SMART_WEIGHT -> b.optSmartWeight(Double.parseDouble(v));
                    case K_SMART_STEPS -> b.optSmartSteps(Integer.parseInt(v));
                    case K_VAT -> b.optVatOnUnlabeled(parseBoolean(v));
                    case K_BREGMAN_WEIGHT -> b.optBregmanWeight(Double.parseDouble(v));
                    case K_EMA -> b.optEmaMomentum(Double.parseDouble(v));
                    case K_OPTIMIZER -> b.optOptimizer(parseEnum(OptimizerType.class, v));
                    case K_SCHEDULE -> b.optSchedule(parseEnum(ScheduleType.class, v));
                    case K_LR -> b.optLearningRate(Double.parseDouble(v));
                    case K_WEIGHT_DECAY -> b.optWeightDecay(Double.parseDouble(v));
                    case K_WARMUP -> b.optWarmupSteps(Integer.parseInt(v));
                    case K_CLIP -> b.optClipNorm(Double.parseDouble(v));
                    case K_BATCH -> b.optBatchSize(Integer.parseInt(v));
                    case K_SEED -> b.optSeed(Long.parseLong(v));
                    default -> {
                        if (!ContinualConfig.isKey(k)) {
                            throw new IllegalArgumentException("Unknown learner configuration key '" + k
                                    + "'; known keys: " + builder().build().toMap().keySet());
                        }
                        b.optContinual(b.continual.with(k, v));
                    }
                }
            } catch (NumberFormatException | JsonProcessingException ex) {
                throw new IllegalArgumentException("Invalid value '" + v + "' for learner configuration key '" + k
                        + "': " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    /**
     * Parses a configuration stored with a model (snapshot or checkpoint): like {@link #fromMap}, except that a map
     * without any {@code continual.*} key, written before those parts existed, has them off, as when it was saved.
     */
    public static LearnerConfig fromStoredMap(Map<String, String> map) {
        return fromMap(map).toBuilder().optContinual(ContinualConfig.fromStoredMap(map)).build();
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String v) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown " + type.getSimpleName() + " '" + v + "'; expected one of "
                    + java.util.Arrays.toString(type.getEnumConstants()), e);
        }
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("Expected true or false, got '" + v + "'");
    }

    // ---- getters --------------------------------------------------------------------------------------------

    /** The encoder network. */
    public EncoderType encoderType() { return encoderType; }

    /** Number of hash buckets of the embedding table (bucket 0 is padding). */
    public int buckets() { return buckets; }

    /** Maximum number of word tokens per text; longer texts are truncated. */
    public int maxLength() { return maxLength; }

    /** Length of the character n-grams added to each word (0 = off). */
    public int charNgrams() { return charNgrams; }

    /** Maximum character n-grams per word. */
    public int maxNgramsPerToken() { return maxNgramsPerToken; }

    /** Width of the embeddings (and of the transformer's residual stream). */
    public int embeddingDim() { return embeddingDim; }

    /** Width of the pooled encoder's dense layer, or of the transformer's feed-forward layer. */
    public int hiddenDim() { return hiddenDim; }

    /** Transformer layers (ignored by the pooled encoder). */
    public int layers() { return layers; }

    /** Attention heads per transformer layer (ignored by the pooled encoder). */
    public int heads() { return heads; }

    /** Dropout probability. */
    public double dropout() { return dropout; }

    /** The fixed label set in output order, or empty when labels are learned from the stream. */
    public List<String> labels() { return labels; }

    /** Maximum number of labels learned from the stream (the head's width when labels are not fixed). */
    public int maxLabels() { return maxLabels; }

    /** The training strategy. */
    public StrategyType strategy() { return strategy; }

    /** K for PGD and FreeLB ascent steps, m for FreeAT replays (ignored by natural training). */
    public int steps() { return steps; }

    /** Norm of the perturbation ball. */
    public NormType norm() { return norm; }

    /** Radius of the perturbation ball. */
    public double epsilon() { return epsilon; }

    /** Ascent step size. */
    public double alpha() { return alpha; }

    /** FreeLB's initial perturbation magnitude. */
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

    /** Weight lambda_s of the SMART smoothness term (0 = off). */
    public double smartWeight() { return smartWeight; }

    /** Ascent steps used to find the smoothness term's perturbation. */
    public int smartSteps() { return smartSteps; }

    /** Whether unlabeled examples train the smoothness term (VAT/ALUM). */
    public boolean vatOnUnlabeled() { return vatOnUnlabeled; }

    /** Weight mu of the Bregman proximal term against the EMA teacher (0 = off, no teacher). */
    public double bregmanWeight() { return bregmanWeight; }

    /** EMA momentum beta of the teacher. */
    public double emaMomentum() { return emaMomentum; }

    /** The parameter update rule. */
    public OptimizerType optimizer() { return optimizer; }

    /** Learning-rate schedule after warm-up. */
    public ScheduleType schedule() { return schedule; }

    /** Peak learning rate. */
    public double learningRate() { return learningRate; }

    /** Weight decay (decoupled for AdamW, L2 added to the gradient for Adam). */
    public double weightDecay() { return weightDecay; }

    /** Updates of linear learning-rate warm-up. */
    public int warmupSteps() { return warmupSteps; }

    /** Global gradient-norm clipping threshold (0 = off). */
    public double clipNorm() { return clipNorm; }

    /** Mini-batch size; also the first dimension of FreeAT's delta bank. */
    public int batchSize() { return batchSize; }

    /** Seed of the learner's random generator. */
    public long seed() { return seed; }

    /** Whether the Bregman proximal term (and thus an EMA teacher) is on. */
    public boolean hasTeacher() { return bregmanWeight > 0; }

    /** The wide side, mixture of experts and replay reservoir beside the network. */
    public ContinualConfig continual() { return continual; }

    /** Width of the classification head. */
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
        private EncoderType encoderType = EncoderType.POOLED;
        private int buckets = 32768;
        private int maxLength = 64;
        private int charNgrams = 3;
        private int maxNgramsPerToken = 12;
        private int embeddingDim = 64;
        private int hiddenDim = 128;
        private int layers = 2;
        private int heads = 4;
        private double dropout = 0.1;
        private List<String> labels = new ArrayList<>();
        private int maxLabels = 16;
        private StrategyType strategy = StrategyType.FREEAT;
        private int steps = 4;
        private NormType norm = NormType.LINF;
        private double epsilon = 0.05;
        private double alpha = Double.NaN;
        private double initMagnitude = Double.NaN;
        private long epsilonRamp = 2000;
        private double smartWeight = 0.0;
        private int smartSteps = 1;
        private boolean vatOnUnlabeled = true;
        private double bregmanWeight = 0.0;
        private double emaMomentum = 0.99;
        private OptimizerType optimizer = OptimizerType.ADAMW;
        private ScheduleType schedule = ScheduleType.CONSTANT;
        private double learningRate = 8e-3;
        private double weightDecay = 0.01;
        private int warmupSteps = 10;
        private double clipNorm = 1.0;
        private int batchSize = 32;
        private long seed = 42L;
        private ContinualConfig continual = ContinualConfig.DEFAULTS;

        private Builder() {}

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

        /** Sets the wide side, mixture and replay ({@link ContinualConfig#DEFAULTS}; {@code continual.*} keys). */
        public Builder optContinual(ContinualConfig v) { continual = Objects.requireNonNull(v, "continual"); return this; }

        /**
         * Validates and builds the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid option
         */
        public LearnerConfig build() {
            check(buckets >= 16 && buckets <= (1 << 24), "buckets must be in [16, 2^24], got " + buckets);
            check(maxLength >= 1 && maxLength <= 4096, "maxLength must be in [1, 4096], got " + maxLength);
            check(charNgrams == 0 || (charNgrams >= 2 && charNgrams <= 6),
                    "charNgrams must be 0 (off) or in [2, 6], got " + charNgrams);
            check(maxNgramsPerToken >= 1 && maxNgramsPerToken <= 64,
                    "maxNgramsPerToken must be in [1, 64], got " + maxNgramsPerToken);
            check(embeddingDim >= 1 && embeddingDim <= 4096, "embeddingDim must be in [1, 4096], got " + embeddingDim);
            check(hiddenDim >= 1 && hiddenDim <= 16384, "hiddenDim must be in [1, 16384], got " + hiddenDim);
            check(layers >= 1 && layers <= 48, "layers must be in [1, 48], got " + layers);
            check(heads >= 1, "heads must be >= 1, got " + heads);
            if (encoderType == EncoderType.TRANSFORMER) {
                check(embeddingDim % heads == 0,
                        "embeddingDim (" + embeddingDim + ") must be divisible by heads (" + heads + ")");
            }
            check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
            Set<String> seen = new HashSet<>();
            for (String l : labels) {
                check(l != null && !l.isEmpty(), "labels must be non-empty strings");
                check(seen.add(l), "duplicate label '" + l + "'");
            }
            check(maxLabels >= 1 && maxLabels <= 100_000, "maxLabels must be in [1, 100000], got " + maxLabels);
            check(labels.isEmpty() || labels.size() <= maxLabels,
                    labels.size() + " fixed labels exceed maxLabels " + maxLabels);
            check(steps >= 1 && steps <= 1000, "steps must be in [1, 1000], got " + steps);
            check(Double.isFinite(epsilon) && epsilon > 0, "epsilon must be finite and > 0, got " + epsilon);
            check(Double.isNaN(alpha) || (Double.isFinite(alpha) && alpha > 0), "alpha must be finite and > 0, got " + alpha);
            check(epsilonRamp >= 0, "epsilonRamp must be >= 0 (0 = off), got " + epsilonRamp);
            check(Double.isNaN(initMagnitude) || (Double.isFinite(initMagnitude) && initMagnitude >= 0),
                    "initMagnitude must be finite and >= 0, got " + initMagnitude);
            check(Double.isFinite(smartWeight) && smartWeight >= 0, "smartWeight must be finite and >= 0, got " + smartWeight);
            check(smartSteps >= 1 && smartSteps <= 100, "smartSteps must be in [1, 100], got " + smartSteps);
            check(Double.isFinite(bregmanWeight) && bregmanWeight >= 0,
                    "bregmanWeight must be finite and >= 0, got " + bregmanWeight);
            check(emaMomentum >= 0 && emaMomentum < 1, "emaMomentum must be in [0, 1), got " + emaMomentum);
            check(Double.isFinite(learningRate) && learningRate > 0, "learningRate must be finite and > 0, got " + learningRate);
            check(Double.isFinite(weightDecay) && weightDecay >= 0, "weightDecay must be finite and >= 0, got " + weightDecay);
            check(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
            check(Double.isFinite(clipNorm) && clipNorm >= 0, "clipNorm must be finite and >= 0 (0 = off), got " + clipNorm);
            check(batchSize >= 1 && batchSize <= 65536, "batchSize must be in [1, 65536], got " + batchSize);
            return new LearnerConfig(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("Invalid learner configuration: " + message);
            }
        }
    }
}
