package io.bulwark.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.AdversaryConfig.DeltaBank;
import io.bulwark.model.AdversaryConfig.EpsilonScale;
import io.bulwark.model.LearnerConfig.NormType;
import io.bulwark.model.LearnerConfig.OptimizerType;
import io.bulwark.model.LearnerConfig.ScheduleType;
import io.bulwark.model.LearnerConfig.StrategyType;
import io.bulwark.model.encoding.Normalization;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The learner's parameters, one table: key, command-line flag, type, default, rule and description. The map form
 * of {@link LearnerConfig}, the command line's learner flags, the job's {@code learner.*} options
 * and the table in {@code docs/learner-params.md} are all generated from it.
 */
public final class LearnerParams {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LearnerParams() {}

    // ---- encoding and network ----------------------------------------------------------------------------------

    public static final Param<EncoderType> ENCODER_TYPE = Param.ofEnum("encoder.type", "--encoder",
            EncoderType.class, EncoderType.POOLED, "Network between the embeddings and the head.");
    public static final Param<Integer> BUCKETS = Param.ofInt("encoder.buckets", "--buckets", 32768, 16, 1 << 24,
            "Hash buckets of the embedding table (bucket 0 is padding).");
    public static final Param<Integer> MAX_LENGTH = Param.ofInt("encoder.maxLength", "--max-length", 64, 1, 4096,
            "Tokens kept per text.");
    public static final Param<Integer> CHAR_NGRAMS = Param.ofInt("encoder.charNgrams", "--char-ngrams", 3,
            v -> v == 0 || (v >= 2 && v <= 6), "0 (off) or in [2, 6]",
            "Character n-gram length folded into each word's vector, 0 = off, else 2 to 6 (spelling variants such"
                    + " as v1agra/viagra share buckets).");
    public static final Param<Integer> MAX_NGRAMS = Param.ofInt("encoder.maxNgramsPerToken", "--max-ngrams-per-token",
            12, 1, 64, "Character n-grams kept per word.");
    public static final Param<Normalization> NORMALIZATION = Param.ofEnum("encoder.normalization",
            "--normalization", Normalization.class, Normalization.DEOBFUSCATE,
            "Text normalisation before tokenisation: BASIC (NFKC, lower case) or DEOBFUSCATE (also undoes look-alike"
                    + " characters, separators and zero-width characters inside words, and leetspeak; see"
                    + " docs/robustness.md). Models stored without this key load as BASIC.");
    public static final Param<Integer> EMBEDDING_DIM = Param.ofInt("encoder.embeddingDim", "--embedding-dim", 64, 1,
            4096, "Embedding width D.");
    public static final Param<Integer> HIDDEN_DIM = Param.ofInt("encoder.hiddenDim", "--hidden-dim", 128, 1, 16384,
            "Hidden width H (the Transformer's feed-forward width).");
    public static final Param<Integer> LAYERS = Param.ofInt("encoder.layers", "--layers", 2, 1, 48,
            "Transformer layers.");
    public static final Param<Integer> HEADS = Param.ofInt("encoder.heads", "--heads", 4, 1, 1024,
            "Transformer attention heads; must divide the embedding width.");
    public static final Param<Double> DROPOUT = Param.ofDouble("encoder.dropout", "--dropout", 0.1,
            v -> v >= 0 && v < 1, "in [0, 1)", "Dropout rate.");

    // ---- labels --------------------------------------------------------------------------------------------------

    public static final Param<List<String>> LABELS = Param.of("labels.fixed", "--labels", "JSON list", List.of(),
            LearnerParams::parseLabels, LearnerParams::formatLabels,
            "Fixed label set, e.g. [\"ham\",\"spam\"]; empty = learn labels from the stream.");
    public static final Param<Integer> MAX_LABELS = Param.ofInt("labels.max", "--max-labels", 16, 1, 100_000,
            "Most labels learned from the stream when no fixed set is given.");

    // ---- strategy ------------------------------------------------------------------------------------------------

    public static final Param<StrategyType> STRATEGY = Param.ofEnum("strategy.type", "--strategy",
            StrategyType.class, StrategyType.FREEAT, "How each mini-batch is trained.");
    public static final Param<Integer> STEPS = Param.ofInt("strategy.steps", "--steps", 4, 1, 1000,
            "FreeAT's m (replays of each batch), K ascent steps for PGD and FreeLB, or YOPO's m full passes.");
    public static final Param<Integer> INNER_STEPS = Param.ofInt("strategy.innerSteps", "--inner-steps",
            AdversaryConfig.DEFAULTS.innerSteps(), 1, 100,
            "YOPO's n: delta updates from the first layer's adjoint after each full pass.");
    public static final Param<DeltaBank> DELTA_BANK = Param.ofEnum("strategy.deltaBank", "--delta-bank",
            DeltaBank.class, AdversaryConfig.DEFAULTS.deltaBank(), "What FreeAT's carried delta is keyed by: POSITION (batch row and"
                    + " token position) or TOKEN (the word's hash bucket, so a word meets its own delta again).");
    public static final Param<Integer> DISCRETE_FLIPS = Param.ofInt("strategy.discreteFlips", "--discrete-flips",
            AdversaryConfig.DEFAULTS.discreteFlips(), 0, 64, "FreeAT only: word substitutions per example and batch"
                    + " that its replays train on, one more per replay, each the batch word that raises the loss most"
                    + " to first order (HotFlip over the batch's words, from the replay's own backward); 0 = off.");
    public static final Param<NormType> NORM = Param.ofEnum("strategy.norm", "--norm", NormType.class, NormType.LINF,
            "Norm of the perturbation ball.");
    public static final Param<Double> EPSILON = Param.ofDouble("strategy.epsilon", "--epsilon", 0.05, v -> v > 0,
            "> 0", "Radius of the perturbation ball in embedding space (embeddings start with std 0.1).");
    public static final Param<Double> ALPHA = Param.ofDerivedDouble("strategy.alpha", "--alpha",
            "epsilon for FreeAT, 2.5 * epsilon / steps for PGD and FreeLB", v -> v > 0, "> 0",
            "Ascent step of delta.");
    public static final Param<Double> INIT_MAGNITUDE = Param.ofDerivedDouble("strategy.initMagnitude",
            "--init-magnitude", "epsilon", v -> v >= 0, ">= 0", "FreeLB's random start radius.");
    public static final Param<EpsilonScale> EPSILON_SCALE = Param.ofEnum("strategy.epsilonScale", "--epsilon-scale",
            EpsilonScale.class, AdversaryConfig.DEFAULTS.epsilonScale(), "ABSOLUTE: epsilon in embedding units; EMBEDDING_RMS: in units"
                    + " of the batch's word-vector RMS over its value at initialisation (0.1), so the model cannot leave"
                    + " the ball by growing its embeddings.");
    public static final Param<Long> EPSILON_RAMP = Param.ofLong("strategy.epsilonRamp", "--epsilon-ramp", 2000, 0,
            "Grow epsilon and alpha linearly from 0 over the first N training examples; 0 = off.");

    // ---- regularisers --------------------------------------------------------------------------------------------

    public static final Param<Double> SMART_WEIGHT = Param.ofDouble("smart.weight", "--smart", 0.0, v -> v >= 0,
            ">= 0", "Weight of the SMART smoothness term; 0 = off.");
    public static final Param<Integer> SMART_STEPS = Param.ofInt("smart.steps", "--smart-steps", 1, 1, 100,
            "Ascent steps of the smoothness term's perturbation.");
    public static final Param<Boolean> VAT = Param.ofBoolean("smart.vatOnUnlabeled", "--vat", true,
            "Apply the smoothness term (ALUM/VAT) to unlabeled events when it is on.");
    public static final Param<Double> BREGMAN_WEIGHT = Param.ofDouble("bregman.weight", "--bregman", 0.0,
            v -> v >= 0, ">= 0", "Weight mu of the Bregman proximal term against the EMA teacher; 0 = off.");
    public static final Param<Double> EMA_MOMENTUM = Param.ofDouble("bregman.emaMomentum", "--ema-momentum", 0.99,
            v -> v >= 0 && v < 1, "in [0, 1)", "EMA teacher momentum beta: teacher <- (1-beta) theta + beta teacher.");

    // ---- optimizer -----------------------------------------------------------------------------------------------

    public static final Param<OptimizerType> OPTIMIZER = Param.ofEnum("optimizer.type", "--optimizer",
            OptimizerType.class, OptimizerType.ADAMW, "Parameter update rule.");
    public static final Param<ScheduleType> SCHEDULE = Param.ofEnum("optimizer.schedule", "--schedule",
            ScheduleType.class, ScheduleType.CONSTANT,
            "Learning rate after warm-up: constant, or decaying as sqrt(warmup / step).");
    public static final Param<Double> LEARNING_RATE = Param.ofDouble("optimizer.learningRate", "--lr", 8e-3,
            v -> v > 0, "> 0", "Learning rate.");
    public static final Param<Double> WEIGHT_DECAY = Param.ofDouble("optimizer.weightDecay", "--weight-decay", 0.01,
            v -> v >= 0, ">= 0", "Decoupled weight decay (AdamW).");
    public static final Param<Integer> WARMUP = Param.ofInt("optimizer.warmupSteps", "--warmup-steps", 10, 0,
            Integer.MAX_VALUE, "Updates of linear learning-rate warm-up.");
    public static final Param<Double> CLIP_NORM = Param.ofDouble("optimizer.clipNorm", "--clip-norm", 1.0,
            v -> v >= 0, ">= 0", "Global gradient-norm clipping; 0 = off.");

    // ---- training ------------------------------------------------------------------------------------------------

    public static final Param<Integer> BATCH_SIZE = Param.ofInt("train.batchSize", "--batch-size", 32, 1, 65536,
            "Examples per mini-batch (the job's batches too).");
    public static final Param<Long> SEED = Param.of("seed", "--seed", "long", 42L, Long::parseLong, String::valueOf,
            "Seed of every random choice (initialisation, dropout, perturbation starts).");

    // ---- continual parts beside the network (ContinualConfig) -------------------------------------------------

    public static final Param<Boolean> CONTINUAL_WIDE = Param.ofBoolean("continual.wide", "--wide",
            ContinualConfig.DEFAULTS.wide(), "Wide model, naive Bayes and the mixture of experts beside the network"
                    + " (docs/continual.md). Models stored without continual.* keys load with it off.");
    public static final Param<Integer> CONTINUAL_BUCKETS = Param.ofInt("continual.wideBuckets", "--wide-buckets",
            ContinualConfig.DEFAULTS.wideBuckets(), 16, 1 << 24,
            "Hash slots of the wide model's and naive Bayes's features.");
    public static final Param<Double> CONTINUAL_WIDE_LR = Param.ofDouble("continual.wideLearningRate",
            "--wide-lr", ContinualConfig.DEFAULTS.wideLearningRate(), v -> v > 0, "> 0",
            "AdaGrad step of the wide model.");
    public static final Param<Double> CONTINUAL_MIX_RATE = Param.ofDouble("continual.mixtureRate",
            "--mixture-rate", ContinualConfig.DEFAULTS.mixtureRate(), v -> v > 0, "> 0",
            "Hedge rate eta of the mixture: a mistake multiplies an expert's weight by exp(-eta).");
    public static final Param<Double> CONTINUAL_MIX_SHARE = Param.ofDouble("continual.mixtureShare",
            "--mixture-share", ContinualConfig.DEFAULTS.mixtureShare(), v -> v >= 0 && v < 1, "in [0, 1)",
            "Fixed share alpha of the mixture, so an expert that becomes the best after a drift is trusted again.");
    public static final Param<Integer> CONTINUAL_REPLAY = Param.ofInt("continual.replayPerClass",
            "--replay-per-class", ContinualConfig.DEFAULTS.replayPerClass(), 0, 1_000_000,
            "Capacity per class of the class-balanced replay reservoir; 0 = off. Models stored without"
                    + " continual.* keys load with it off.");
    public static final Param<Double> CONTINUAL_REPLAY_FRACTION = Param.ofDouble("continual.replayFraction",
            "--replay-fraction", ContinualConfig.DEFAULTS.replayFraction(), v -> v >= 0 && v < 1, "in [0, 1)",
            "Share of each (enlarged) training batch drawn from the replay reservoir.");

    public static final Param<Integer> CONTINUAL_PROBE = Param.ofInt("continual.probePerClass", "--probe-per-class",
            ContinualConfig.DEFAULTS.probePerClass(), 0, 100_000, "Labeled examples per class withheld from training"
                    + " (a class-balanced reservoir; an evicted one is trained on then) on which the mixture's experts"
                    + " are scored, each class weighing equally in the mixture's updates; 0 = off. Needs the wide side. Models"
                    + " stored without the key load with 0.");

    public static final Param<Integer> CONTINUAL_PROBE_INJECTED = Param.ofInt("continual.probeInjectedWords",
            "--probe-injected-words", ContinualConfig.DEFAULTS.probeInjectedWords(), 0, 1000, "With the probe: the"
                    + " mixture's experts are also scored on a copy of each probe text carrying up to this many words of"
                    + " a replayed text of another class, those naive Bayes finds most typical of it (half before, half"
                    + " after the text); 0 = clean probe texts only. Needs the replay reservoir. Models stored without the key"
                    + " load with 0.");

    public static final Param<ContinualConfig.NaiveBayesKind> CONTINUAL_NAIVE_BAYES = Param.ofEnum(
            "continual.naiveBayesKind", "--naive-bayes-kind", ContinualConfig.NaiveBayesKind.class,
            ContinualConfig.DEFAULTS.naiveBayesKind(), "The naive Bayes expert's estimate: COMPLEMENT (each class"
                    + " from the other classes' counts, no prior; robust to rare and late classes) or MULTINOMIAL (own"
                    + " counts and class prior). Models stored without the key load with MULTINOMIAL.");

    public static final Param<Integer> CONTINUAL_WIDE_ADVERSARIAL = Param.ofInt("continual.wideAdversarialWords",
            "--wide-adversarial-words", ContinualConfig.DEFAULTS.wideAdversarialWords(), 0, 1000,
            "After each example the wide model also takes a step on the example with the k features added that lower"
                    + " its margin most (the exact worst k-word injection for a linear model); 0 = off.");

    /** Every parameter, in table order. */
    public static final List<Param<?>> ALL = List.of(ENCODER_TYPE, BUCKETS, MAX_LENGTH, CHAR_NGRAMS, MAX_NGRAMS,
            NORMALIZATION, EMBEDDING_DIM, HIDDEN_DIM, LAYERS, HEADS, DROPOUT, LABELS, MAX_LABELS, STRATEGY, STEPS, INNER_STEPS,
            DELTA_BANK, DISCRETE_FLIPS, NORM, EPSILON,
            ALPHA, INIT_MAGNITUDE, EPSILON_SCALE, EPSILON_RAMP, SMART_WEIGHT, SMART_STEPS, VAT, BREGMAN_WEIGHT, EMA_MOMENTUM,
            OPTIMIZER, SCHEDULE, LEARNING_RATE, WEIGHT_DECAY, WARMUP, CLIP_NORM, BATCH_SIZE, SEED, CONTINUAL_WIDE,
            CONTINUAL_BUCKETS, CONTINUAL_WIDE_LR, CONTINUAL_MIX_RATE, CONTINUAL_MIX_SHARE, CONTINUAL_REPLAY,
            CONTINUAL_REPLAY_FRACTION, CONTINUAL_PROBE, CONTINUAL_PROBE_INJECTED, CONTINUAL_NAIVE_BAYES,
            CONTINUAL_WIDE_ADVERSARIAL);

    /** The parameter with {@code key}, or {@code null}. */
    public static Param<?> byKey(String key) {
        for (Param<?> p : ALL) {
            if (p.key().equals(key)) {
                return p;
            }
        }
        return null;
    }

    /** The parameter table in Markdown, as in {@code docs/learner-params.md}. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | flag | type | default | rule | description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Param<?> p : ALL) {
            sb.append("| `").append(p.key()).append("` | `").append(p.flag()).append("` | ")
                    .append(p.type().replace("|", "\\|")).append(" | ").append(p.defaultText()).append(" | ")
                    .append(p.rule()).append(" | ").append(p.description()).append(" |\n");
        }
        return sb.toString();
    }

    private static List<String> parseLabels(String v) {
        if (v.isEmpty()) {
            return List.of();
        }
        try {
            return List.copyOf(JSON.readValue(v, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("expected a JSON list of strings, e.g. [\"ham\",\"spam\"]");
        }
    }

    private static String formatLabels(List<String> labels) {
        try {
            return JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
