package io.bulwark.model;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Binds each parameter of {@link LearnerParams} to the {@link LearnerConfig} getter that reads it and the builder
 * method that sets it; {@link LearnerConfig}'s map form, copying and validation iterate over these bindings.
 */
final class ConfigBindings {

    private ConfigBindings() {}

    /** A parameter of the table with the field it reads and the builder method it sets. */
    record Binding<T>(Param<T> param, Function<LearnerConfig, T> get, BiConsumer<LearnerConfig.Builder, T> set) {
        String format(LearnerConfig c) {
            return param.format(get.apply(c));
        }

        void parseInto(LearnerConfig.Builder b, String raw) {
            set.accept(b, param.parse(raw));
        }

        void copy(LearnerConfig c, LearnerConfig.Builder b) {
            set.accept(b, get.apply(c));
        }

        String problem(LearnerConfig c) {
            return param.problem(get.apply(c));
        }

        /** The problem of a raw value on its own: unparseable, or against the parameter's rule. */
        String check(String raw) {
            try {
                return param.problem(param.parse(raw));
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
    }

    private static <T> Binding<T> bind(Param<T> p, Function<LearnerConfig, T> get, BiConsumer<LearnerConfig.Builder, T> set) {
        return new Binding<>(p, get, set);
    }

    /** Every parameter, in table order. */
    static final List<Binding<?>> ALL = List.of(
            bind(LearnerParams.ENCODER_TYPE, LearnerConfig::encoderType, LearnerConfig.Builder::optEncoderType),
            bind(LearnerParams.BUCKETS, LearnerConfig::buckets, LearnerConfig.Builder::optBuckets),
            bind(LearnerParams.MAX_LENGTH, LearnerConfig::maxLength, LearnerConfig.Builder::optMaxLength),
            bind(LearnerParams.CHAR_NGRAMS, LearnerConfig::charNgrams, LearnerConfig.Builder::optCharNgrams),
            bind(LearnerParams.MAX_NGRAMS, LearnerConfig::maxNgramsPerToken, LearnerConfig.Builder::optMaxNgramsPerToken),
            bind(LearnerParams.NORMALIZATION, LearnerConfig::normalization, LearnerConfig.Builder::optNormalization),
            bind(LearnerParams.EMBEDDING_DIM, LearnerConfig::embeddingDim, LearnerConfig.Builder::optEmbeddingDim),
            bind(LearnerParams.HIDDEN_DIM, LearnerConfig::hiddenDim, LearnerConfig.Builder::optHiddenDim),
            bind(LearnerParams.LAYERS, LearnerConfig::layers, LearnerConfig.Builder::optLayers),
            bind(LearnerParams.HEADS, LearnerConfig::heads, LearnerConfig.Builder::optHeads),
            bind(LearnerParams.DROPOUT, LearnerConfig::dropout, LearnerConfig.Builder::optDropout),
            bind(LearnerParams.LABELS, LearnerConfig::labels, LearnerConfig.Builder::optLabels),
            bind(LearnerParams.MAX_LABELS, LearnerConfig::maxLabels, LearnerConfig.Builder::optMaxLabels),
            bind(LearnerParams.STRATEGY, LearnerConfig::strategy, LearnerConfig.Builder::optStrategy),
            bind(LearnerParams.STEPS, LearnerConfig::steps, LearnerConfig.Builder::optSteps),
            adversary(LearnerParams.INNER_STEPS, AdversaryConfig::innerSteps, AdversaryConfig::withInnerSteps),
            adversary(LearnerParams.DELTA_BANK, AdversaryConfig::deltaBank, AdversaryConfig::withDeltaBank),
            adversary(LearnerParams.DISCRETE_FLIPS, AdversaryConfig::discreteFlips, AdversaryConfig::withDiscreteFlips),
            bind(LearnerParams.NORM, LearnerConfig::norm, LearnerConfig.Builder::optNorm),
            bind(LearnerParams.EPSILON, LearnerConfig::epsilon, LearnerConfig.Builder::optEpsilon),
            bind(LearnerParams.ALPHA, LearnerConfig::alpha, LearnerConfig.Builder::optAlpha),
            bind(LearnerParams.INIT_MAGNITUDE, LearnerConfig::initMagnitude, LearnerConfig.Builder::optInitMagnitude),
            adversary(LearnerParams.EPSILON_SCALE, AdversaryConfig::epsilonScale, AdversaryConfig::withEpsilonScale),
            bind(LearnerParams.EPSILON_RAMP, LearnerConfig::epsilonRamp, LearnerConfig.Builder::optEpsilonRamp),
            bind(LearnerParams.SMART_WEIGHT, LearnerConfig::smartWeight, LearnerConfig.Builder::optSmartWeight),
            bind(LearnerParams.SMART_STEPS, LearnerConfig::smartSteps, LearnerConfig.Builder::optSmartSteps),
            bind(LearnerParams.VAT, LearnerConfig::vatOnUnlabeled, LearnerConfig.Builder::optVatOnUnlabeled),
            bind(LearnerParams.BREGMAN_WEIGHT, LearnerConfig::bregmanWeight, LearnerConfig.Builder::optBregmanWeight),
            bind(LearnerParams.EMA_MOMENTUM, LearnerConfig::emaMomentum, LearnerConfig.Builder::optEmaMomentum),
            bind(LearnerParams.OPTIMIZER, LearnerConfig::optimizer, LearnerConfig.Builder::optOptimizer),
            bind(LearnerParams.SCHEDULE, LearnerConfig::schedule, LearnerConfig.Builder::optSchedule),
            bind(LearnerParams.LEARNING_RATE, LearnerConfig::learningRate, LearnerConfig.Builder::optLearningRate),
            bind(LearnerParams.WEIGHT_DECAY, LearnerConfig::weightDecay, LearnerConfig.Builder::optWeightDecay),
            bind(LearnerParams.WARMUP, LearnerConfig::warmupSteps, LearnerConfig.Builder::optWarmupSteps),
            bind(LearnerParams.CLIP_NORM, LearnerConfig::clipNorm, LearnerConfig.Builder::optClipNorm),
            bind(LearnerParams.BATCH_SIZE, LearnerConfig::batchSize, LearnerConfig.Builder::optBatchSize),
            bind(LearnerParams.SEED, LearnerConfig::seed, LearnerConfig.Builder::optSeed),
            continual(LearnerParams.CONTINUAL_WIDE, ContinualConfig::wide, ContinualConfig::withWide),
            continual(LearnerParams.CONTINUAL_BUCKETS, ContinualConfig::wideBuckets, ContinualConfig::withWideBuckets),
            continual(LearnerParams.CONTINUAL_WIDE_LR, ContinualConfig::wideLearningRate,
                    ContinualConfig::withWideLearningRate),
            continual(LearnerParams.CONTINUAL_MIX_RATE, ContinualConfig::mixtureRate, ContinualConfig::withMixtureRate),
            continual(LearnerParams.CONTINUAL_MIX_SHARE, ContinualConfig::mixtureShare,
                    ContinualConfig::withMixtureShare),
            continual(LearnerParams.CONTINUAL_REPLAY, ContinualConfig::replayPerClass,
                    ContinualConfig::withReplayPerClass),
            continual(LearnerParams.CONTINUAL_REPLAY_FRACTION, ContinualConfig::replayFraction,
                    ContinualConfig::withReplayFraction),
            continual(LearnerParams.CONTINUAL_PROBE, ContinualConfig::probePerClass,
                    ContinualConfig::withProbePerClass),
            continual(LearnerParams.CONTINUAL_PROBE_INJECTED, ContinualConfig::probeInjectedWords,
                    ContinualConfig::withProbeInjectedWords),
            continual(LearnerParams.CONTINUAL_NAIVE_BAYES, ContinualConfig::naiveBayesKind,
                    ContinualConfig::withNaiveBayesKind),
            continual(LearnerParams.CONTINUAL_WIDE_ADVERSARIAL, ContinualConfig::wideAdversarialWords,
                    ContinualConfig::withWideAdversarialWords));

    /** A parameter held in the configuration's {@link AdversaryConfig}. */
    private static <T> Binding<T> adversary(Param<T> p, Function<AdversaryConfig, T> get,
                                            BiFunction<AdversaryConfig, T, AdversaryConfig> with) {
        return new Binding<>(p, c -> get.apply(c.adversary()),
                (b, v) -> b.optAdversary(with.apply(b.adversary(), v)));
    }

    /** A parameter held in the configuration's {@link ContinualConfig}. */
    private static <T> Binding<T> continual(Param<T> p, Function<ContinualConfig, T> get,
                                            BiFunction<ContinualConfig, T, ContinualConfig> with) {
        return new Binding<>(p, c -> get.apply(c.continual()),
                (b, v) -> b.optContinual(with.apply(b.continual(), v)));
    }

    /** The binding of {@code key}, or {@code null}. */
    static Binding<?> byKey(String key) {
        for (Binding<?> b : ALL) {
            if (b.param().key().equals(key)) {
                return b;
            }
        }
        return null;
    }
}
