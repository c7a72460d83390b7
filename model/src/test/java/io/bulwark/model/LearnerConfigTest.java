package io.bulwark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        LearnerConfig c = LearnerConfig.builder().build();
        assertThat(c.encoderType()).isEqualTo(LearnerConfig.EncoderType.POOLED);
        assertThat(c.buckets()).isEqualTo(32768);
        assertThat(c.maxLength()).isEqualTo(64);
        assertThat(c.embeddingDim()).isEqualTo(64);
        assertThat(c.hiddenDim()).isEqualTo(128);
        assertThat(c.dropout()).isEqualTo(0.1);
        assertThat(c.strategy()).isEqualTo(LearnerConfig.StrategyType.FREEAT);
        assertThat(c.steps()).isEqualTo(4);
        assertThat(c.norm()).isEqualTo(LearnerConfig.NormType.LINF);
        assertThat(c.epsilon()).isEqualTo(0.05);
        assertThat(c.alpha()).isEqualTo(0.05);
        assertThat(c.learningRate()).isEqualTo(8e-3);
        assertThat(c.epsilonRamp()).isEqualTo(2000L);
        assertThat(c.clipNorm()).isEqualTo(1.0);
        assertThat(c.batchSize()).isEqualTo(32);
        assertThat(c.seed()).isEqualTo(42L);
        assertThat(c.outputSize()).isEqualTo(c.maxLabels());
        assertThat(LearnerConfig.builder().optStrategy(LearnerConfig.StrategyType.PGD).optSteps(5).build().alpha())
                .isEqualTo(2.5 * 0.05 / 5);
    }

    @Test
    void mapRoundTripPreservesEveryField() {
        LearnerConfig c = LearnerConfig.builder()
                .optEncoderType(LearnerConfig.EncoderType.TRANSFORMER).optBuckets(1 << 12).optMaxLength(100)
                .optCharNgrams(4).optMaxNgramsPerToken(7).optEmbeddingDim(48).optHiddenDim(96).optLayers(3)
                .optHeads(6).optDropout(0.25).optLabels(List.of("spam", "ham, \"quoted\"", "ünïcode"))
                .optMaxLabels(5).optStrategy(LearnerConfig.StrategyType.FREELB).optSteps(3)
                .optNorm(LearnerConfig.NormType.L2).optEpsilon(0.3).optAlpha(0.1).optInitMagnitude(0.2)
                .optSmartWeight(0.5).optSmartSteps(2).optVatOnUnlabeled(false).optBregmanWeight(0.7)
                .optEmaMomentum(0.95).optOptimizer(LearnerConfig.OptimizerType.ADAM)
                .optSchedule(LearnerConfig.ScheduleType.INVERSE_SQRT).optLearningRate(1e-4).optWeightDecay(0.001)
                .optWarmupSteps(7).optClipNorm(0).optBatchSize(9).optSeed(-123456789012L).build();
        Map<String, String> map = c.toMap();
        LearnerConfig back = LearnerConfig.fromMap(map);
        assertThat(back).isEqualTo(c);
        assertThat(back.toMap()).isEqualTo(map);
        assertThat(back.labels()).containsExactly("spam", "ham, \"quoted\"", "ünïcode");
        assertThat(back.alpha()).isEqualTo(0.1);
        assertThat(LearnerConfig.fromMap(Map.of())).isEqualTo(LearnerConfig.builder().build());
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void rejectsUnknownKeysAndBadValuesWithClearMessages() {
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("strategy.typo", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown learner configuration key 'strategy.typo'");
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("strategy.steps", "four")))
                .hasMessageContaining("Invalid value 'four' for strategy.steps (--steps, int)");
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("strategy.type", "FGSM")))
                .hasMessageContaining("Invalid value 'FGSM' for strategy.type").hasMessageContaining("expected one of [NATURAL, PGD, FREEAT, FREELB, YOPO]");
        Map<String, String> neg = new HashMap<>();
        neg.put("strategy.epsilon", "-1");
        assertThatThrownBy(() -> LearnerConfig.fromMap(neg)).hasMessageContaining("strategy.epsilon must be finite and > 0, got -1.0");
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> LearnerConfig.builder().optDropout(1.0).build())
                .hasMessageContaining("encoder.dropout must be finite and in [0, 1)");
        assertThatThrownBy(() -> LearnerConfig.builder().optBuckets(3).build()).hasMessageContaining("buckets");
        assertThatThrownBy(() -> LearnerConfig.builder().optEncoderType(LearnerConfig.EncoderType.TRANSFORMER)
                .optEmbeddingDim(30).optHeads(4).build()).hasMessageContaining("divisible by encoder.heads");
        assertThatThrownBy(() -> LearnerConfig.builder().optLabels(List.of("a", "a")).build())
                .hasMessageContaining("labels.fixed holds 'a' twice");
        assertThatThrownBy(() -> LearnerConfig.builder().optEmaMomentum(1.0).build())
                .hasMessageContaining("emaMomentum");
        assertThatThrownBy(() -> LearnerConfig.builder().optCharNgrams(1).build()).hasMessageContaining("charNgrams");
        assertThatThrownBy(() -> LearnerConfig.builder().optSteps(0).build()).hasMessageContaining("steps");
        assertThatThrownBy(() -> LearnerConfig.builder().optLearningRate(Double.NaN).build())
                .hasMessageContaining("learningRate");
    }

    @Test
    void survivesJavaSerializationAsTheStreamingJobShipsIt() throws Exception {
        LearnerConfig c = LearnerConfig.builder().optStrategy(LearnerConfig.StrategyType.PGD).optSteps(3)
                .optLabels(List.of("ham", "spam")).build();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            LearnerConfig back = (LearnerConfig) in.readObject();
            assertThat(back).isEqualTo(c);
            assertThat(back.continual()).isEqualTo(c.continual());
        }
    }

    @Test
    void everyProblemIsListedAtOnce() {
        Map<String, String> bad = new HashMap<>();
        bad.put("strategy.steps", "0");
        bad.put("strategy.epsilon", "x");
        bad.put("encoder.typo", "1");
        List<String> problems = LearnerConfig.problems(bad);
        assertThat(problems).hasSize(3);
        assertThat(String.join("\n", problems)).contains("strategy.steps must be in [1, 1000], got 0",
                "Invalid value 'x' for strategy.epsilon", "unknown learner configuration key 'encoder.typo'");
        assertThat(LearnerConfig.problems(Map.of("strategy.steps", "3"))).isEmpty();
        assertThatThrownBy(() -> LearnerConfig.builder().optSteps(0).optDropout(2).build())
                .hasMessageContaining("strategy.steps").hasMessageContaining("encoder.dropout");
    }

    @Test
    void theParameterTableCoversEveryMapKeyAndItsDefaultsAreTheBuildersDefaults() {
        LearnerConfig defaults = LearnerConfig.builder().build();
        assertThat(defaults.toMap().keySet())
                .containsExactlyElementsOf(LearnerParams.ALL.stream().map(Param::key).toList());
        for (Param<?> p : LearnerParams.ALL) {
            if (p.defaultValue() != null) {
                assertThat(defaults.toMap().get(p.key())).as(p.key()).isEqualTo(format(p));
            }
            assertThat(p.flag()).as(p.key()).startsWith("--");
        }
        assertThat(LearnerParams.ALL.stream().map(Param::flag).distinct()).hasSameSizeAs(LearnerParams.ALL);
    }

    /** docs/learner-params.md holds the generated table; regenerate it with LearnerParams.markdownTable(). */
    @Test
    void theDocsTableIsTheGeneratedOne() throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", "learner-params.md");
        assertThat(java.nio.file.Files.readString(doc)).contains(LearnerParams.markdownTable());
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(Param<T> p) {
        return p.format(p.defaultValue());
    }

    @Test
    void attackNameAndValidation() {
        LearnerConfig c = LearnerConfig.builder().build();
        assertThat(PgdAttack.defaults(c).name()).isEqualTo("pgd-10-linf-eps0.05-r1");
        assertThatThrownBy(() -> new PgdAttack(0, 0.1, 0.01, 1, LearnerConfig.NormType.L2))
                .hasMessageContaining("steps");
        assertThatThrownBy(() -> new Example("x", "y", Float.NaN)).hasMessageContaining("weight");
    }

    @Test
    void radiusRampGrowsLinearlyThenStays() {
        LearnerConfig c = LearnerConfig.builder().optEpsilonRamp(100).build();
        assertThat(c.rampFactor(0)).isEqualTo(0.01);
        assertThat(c.rampFactor(25)).isEqualTo(0.25);
        assertThat(c.rampFactor(100)).isEqualTo(1.0);
        assertThat(c.rampFactor(5000)).isEqualTo(1.0);
        assertThat(LearnerConfig.builder().optEpsilonRamp(0).build().rampFactor(1)).isEqualTo(1.0);
        assertThat(LearnerConfig.fromMap(c.toMap()).epsilonRamp()).isEqualTo(100L);
        assertThatThrownBy(() -> LearnerConfig.builder().optEpsilonRamp(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsilonRamp");
    }

    @Test
    void normalizationDefaultsToDeobfuscateButStoredMapsWithoutTheKeyLoadAsBasic() {
        LearnerConfig c = LearnerConfig.builder().build();
        assertThat(c.normalization()).isEqualTo(io.bulwark.model.encoding.Normalization.DEOBFUSCATE);
        assertThat(c.toMap()).containsEntry("encoder.normalization", "DEOBFUSCATE");
        Map<String, String> old = new HashMap<>(c.toMap());
        old.remove("encoder.normalization");
        assertThat(LearnerConfig.fromMap(old).normalization())
                .isEqualTo(io.bulwark.model.encoding.Normalization.DEOBFUSCATE);
        assertThat(LearnerConfig.fromStoredMap(old).normalization())
                .isEqualTo(io.bulwark.model.encoding.Normalization.BASIC);
        assertThat(LearnerConfig.fromStoredMap(c.toMap())).isEqualTo(c);
        LearnerConfig basic = c.toBuilder().optNormalization(io.bulwark.model.encoding.Normalization.BASIC).build();
        assertThat(LearnerConfig.fromMap(basic.toMap())).isEqualTo(basic);
        assertThat(LearnerConfig.fromMap(Map.of("encoder.normalization", "basic")).normalization())
                .isEqualTo(io.bulwark.model.encoding.Normalization.BASIC);
    }
}
