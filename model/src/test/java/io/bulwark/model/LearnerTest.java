package io.bulwark.model;

import io.bulwark.model.learner.Learner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import io.bulwark.model.strategy.StepListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LearnerTest {

    private final List<Example> data = SyntheticData.keywordTask(320, 21);

    @Test
    void learnsLabelsInOrderOfFirstAppearanceUpToMax() {
        LearnerConfig config = SyntheticData.small().optMaxLabels(3).build();
        try (Learner learner = Learner.create(config)) {
            assertThat(learner.predict(List.of("x")).get(0).label()).isNull();
            StepResult r = learner.train(List.of(Example.of("a", "b-label"), Example.of("c", "a-label")));
            assertThat(r.correctBeforeUpdate()).isZero();
            assertThat(learner.labels()).containsExactly("b-label", "a-label");
            assertThat(learner.acceptsLabel("third")).isTrue();
            learner.train(List.of(Example.of("d", "third")));
            assertThat(learner.acceptsLabel("fourth")).isFalse();
            assertThat(learner.acceptsLabel("a-label")).isTrue();
            long seen = learner.examplesSeen();
            assertThatThrownBy(() -> learner.train(List.of(Example.of("e", "a-label"), Example.of("f", "fourth"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Cannot learn label 'fourth'");
            assertThat(learner.examplesSeen()).as("a rejected batch trains nothing").isEqualTo(seen);
            Prediction p = learner.predict(List.of("anything")).get(0);
            assertThat(p.probabilities()).hasSize(3);
            assertThat((double) (p.probabilities()[0] + p.probabilities()[1] + p.probabilities()[2]))
                    .isCloseTo(1.0, within(1e-5));
        }
        LearnerConfig fixed = SyntheticData.small().optLabels(List.of("ham", "spam")).build();
        try (Learner learner = Learner.create(fixed)) {
            assertThat(learner.labels()).containsExactly("ham", "spam");
            assertThat(learner.acceptsLabel("other")).isFalse();
            assertThatThrownBy(() -> learner.train(List.of(Example.of("x", "other"))))
                    .hasMessageContaining("Unknown label 'other'");
        }
    }

    @Test
    void learnsTheSyntheticTaskPrequentially() {
        try (Learner learner = Learner.create(SyntheticData.small().optBregmanWeight(0).build())) {
            int correct = 0;
            int seen = 0;
            for (int epoch = 0; epoch < 2; epoch++) {
                for (int i = 0; i < data.size(); i += 16) {
                    StepResult r = learner.train(data.subList(i, i + 16));
                    if (epoch == 1) {
                        correct += r.correctBeforeUpdate();
                        seen += r.labeled();
                    }
                }
            }
            double prequential = correct / (double) seen;
            Evaluation e = learner.evaluate(SyntheticData.keywordTask(200, 99), null);
            assertThat(prequential).as("prequential accuracy in epoch 2").isGreaterThan(0.9);
            assertThat(e.cleanAccuracy()).as("held-out accuracy").isGreaterThan(0.9);
            assertThat(e.robustAccuracy()).isNaN();
            assertThat(e.adversarialLoss()).isNaN();
            assertThat(e.attack()).isEqualTo("none");
            assertThat(learner.batchesSeen()).isEqualTo(40);
            assertThat(learner.updates()).isEqualTo(160);
        }
    }

    @Test
    void emptyAndSymbolOnlyTextsTrainAndPredict() {
        for (LearnerConfig.EncoderType encoder : LearnerConfig.EncoderType.values()) {
            try (Learner learner = Learner.create(SyntheticData.small().optEncoderType(encoder).optCharNgrams(3)
                    .build())) {
                learner.train(data.subList(0, 16));
                StepResult r = learner.train(List.of(Example.of("", "spam"), Example.of("   ", "ham"),
                        Example.of("!!!", "ham")));
                assertThat(r.updates()).isEqualTo(4);
                assertThat(r.skipped()).isFalse();
                assertThat(learner.predict(List.of("", "$$$"))).allSatisfy(p -> assertThat(p.label()).isNotNull());
            }
        }
    }

    @Test
    void oversizedBatchIsTrainedInChunks() {
        try (Learner learner = Learner.create(SyntheticData.small().optBatchSize(8).build())) {
            StepResult r = learner.train(data.subList(0, 20));
            assertThat(r.examples()).isEqualTo(20);
            assertThat(r.updates()).isEqualTo(3 * 4);
            assertThat(learner.batchesSeen()).isEqualTo(1);
        }
        // Replayed examples enlarge the training batch; they do not split it.
        try (Learner learner = Learner.create(SyntheticData.small().optBatchSize(8)
                .optContinual(ContinualConfig.OFF).build())) {
            assertThat(learner.train(data.subList(0, 20)).updates()).isEqualTo(3 * 4);
        }
    }

    @ParameterizedTest
    @EnumSource(LearnerConfig.StrategyType.class)
    void nonFiniteLossSkipsTheUpdateAndLeavesParametersUnchanged(LearnerConfig.StrategyType strategy) {
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(2).optBregmanWeight(1.0).build();
        try (Learner learner = Learner.create(config)) {
            learner.train(data.subList(0, 16));
            Map<String, float[]> params = learner.parameterValues();
            Map<String, float[]> teacher = learner.teacherValues();
            long updates = learner.updates();
            learner.setStepListener(new StepListener() {
                @Override
                public NDArray adjustLoss(int pass, NDArray loss) {
                    return loss.mul(Float.NaN);
                }
            });
            StepResult r = learner.train(data.subList(16, 32));
            assertThat(r.skipped()).isTrue();
            assertThat(r.updates()).isZero();
            assertThat(r.loss()).isNaN();
            assertThat(learner.skippedBatches()).isEqualTo(1);
            assertThat(learner.updates()).isEqualTo(updates);
            assertBitwiseEqual(learner.parameterValues(), params);
            assertBitwiseEqual(learner.teacherValues(), teacher);
            // The learner recovers on the next finite batch.
            learner.setStepListener(null);
            StepResult ok = learner.train(data.subList(32, 48));
            assertThat(ok.skipped()).isFalse();
            assertThat(ok.updates()).isGreaterThan(0);
            assertThat(Double.isFinite(ok.loss())).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(LearnerConfig.EncoderType.class)
    void fixedSeedGivesBitwiseEqualRuns(LearnerConfig.EncoderType encoder) {
        boolean pooled = encoder == LearnerConfig.EncoderType.POOLED;
        LearnerConfig config = SyntheticData.small().optEncoderType(encoder).optCharNgrams(3)
                .optSmartWeight(pooled ? 0.5 : 0).build();
        try (Learner a = Learner.create(config); Learner b = Learner.create(config)) {
            for (int i = 0; i < (pooled ? 96 : 48); i += 16) {
                StepResult ra = a.train(data.subList(i, i + 16));
                StepResult rb = b.train(data.subList(i, i + 16));
                assertThat(ra).isEqualTo(rb);
            }
            assertBitwiseEqual(a.parameterValues(), b.parameterValues());
            assertBitwiseEqual(a.teacherValues(), b.teacherValues());
        }
        try (Learner c = Learner.create(config.toBuilder().optSeed(7).build());
             Learner d = Learner.create(config)) {
            assertThat(c.parameterValues().get("head.weight")).isNotEqualTo(d.parameterValues().get("head.weight"));
        }
    }

    /**
     * Regression test: scalar operands that autograd saves must outlive the backward pass. A collection between the
     * forward and the backward pass (with fresh direct buffers reusing freed memory) must not change any bit.
     */
    @Test
    void garbageCollectionDuringAPassDoesNotChangeResults() {
        LearnerConfig config = SyntheticData.small().optCharNgrams(3).optSmartWeight(0.5).optBregmanWeight(1.0)
                .build();
        try (Learner a = Learner.create(config); Learner b = Learner.create(config)) {
            b.setStepListener(new StepListener() {
                @Override
                public NDArray adjustLoss(int pass, NDArray loss) {
                    System.gc();
                    for (int i = 0; i < 64; i++) {
                        java.nio.ByteBuffer junk = java.nio.ByteBuffer.allocateDirect(64);
                        while (junk.hasRemaining()) {
                            junk.put((byte) 0x7f);
                        }
                    }
                    return loss;
                }
            });
            for (int i = 0; i < 64; i += 16) {
                assertThat(b.train(data.subList(i, i + 16))).isEqualTo(a.train(data.subList(i, i + 16)));
            }
            assertBitwiseEqual(b.parameterValues(), a.parameterValues());
        }
    }

    @ParameterizedTest
    @EnumSource(LearnerConfig.StrategyType.class)
    void checkpointAndRestoreContinuesBitwiseLikeAnUninterruptedRun(LearnerConfig.StrategyType strategy) {
        // The EMA teacher is on, so the restored teacher (and the Bregman term it feeds) is checked too.
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(2).optCharNgrams(3)
                .optSmartWeight(strategy == LearnerConfig.StrategyType.FREEAT ? 0.5 : 0).optBregmanWeight(1.0)
                .optEmaMomentum(0.9).build();
        try (Learner uninterrupted = Learner.create(config); Learner first = Learner.create(config)) {
            for (int i = 0; i < 128; i += 16) {
                uninterrupted.train(data.subList(i, i + 16));
            }
            for (int i = 0; i < 64; i += 16) {
                first.train(data.subList(i, i + 16));
            }
            byte[] checkpoint = first.checkpoint();
            try (Learner resumed = Learner.restore(checkpoint, "cpu")) {
                assertThat(resumed.labels()).isEqualTo(first.labels());
                assertThat(resumed.examplesSeen()).isEqualTo(64);
                assertThat(resumed.config()).isEqualTo(config);
                for (int i = 64; i < 128; i += 16) {
                    resumed.train(data.subList(i, i + 16));
                }
                assertBitwiseEqual(resumed.parameterValues(), uninterrupted.parameterValues());
                assertThat(uninterrupted.teacherValues()).as("teacher tensors").containsKey("head.weight");
                assertThat(uninterrupted.teacherValues().get("head.weight"))
                        .as("the teacher lags the student").isNotEqualTo(uninterrupted.parameterValues().get("head.weight"));
                assertBitwiseEqual(resumed.teacherValues(), uninterrupted.teacherValues());
                assertBitwiseEqual(resumed.strategyStateValues(), uninterrupted.strategyStateValues());
                assertThat(resumed.updates()).isEqualTo(uninterrupted.updates());
                assertThat(resumed.batchesSeen()).isEqualTo(uninterrupted.batchesSeen());
            }
        }
    }

    @Test
    void gpuRequestFallsBackToCpuWhenNoGpuIsAvailable() {
        assertThat(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount())
                .as("this test expects a machine without GPUs").isZero();
        try (Learner learner = Learner.create(SyntheticData.small().build(), "gpu:1")) {
            assertThat(learner.device()).isEqualTo("cpu()");
        }
        assertThatThrownBy(() -> Learner.create(SyntheticData.small().build(), "tpu"))
                .hasMessageContaining("Invalid device 'tpu'");
    }

    @Test
    void transformerIgnoresPadding() {
        LearnerConfig config = SyntheticData.small().optEncoderType(LearnerConfig.EncoderType.TRANSFORMER)
                .optCharNgrams(3).optLabels(List.of("ham", "spam")).build();
        try (Learner learner = Learner.create(config)) {
            learner.train(data.subList(0, 16));
            String shortText = "cheap viagra";
            float[] alone = learner.logits(List.of(shortText))[0];
            float[] padded = learner.logits(List.of(shortText, "a much longer text with many more words in it"))[0];
            for (int j = 0; j < alone.length; j++) {
                assertThat(padded[j]).isCloseTo(alone[j], within(1e-5f));
            }
        }
    }

    @Test
    void driftBetweenModels() {
        LearnerConfig config = SyntheticData.small().build();
        try (Learner a = Learner.create(config); Learner b = Learner.create(config);
             Learner c = Learner.create(config.toBuilder().optSeed(5).build())) {
            List<Example> batch = data.subList(0, 16);
            a.train(batch);
            b.train(batch);
            c.train(batch);
            assertThat(a.driftKl(b, data)).isZero();
            assertThat(a.driftKl(c, data)).isGreaterThan(0.0);
            try (Learner d = Learner.create(config)) {
                d.train(List.of(Example.of("x", "other")));
                assertThatThrownBy(() -> a.driftKl(d, data)).hasMessageContaining("different labels");
            }
        }
    }

    static void assertBitwiseEqual(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        List<String> differing = new ArrayList<>();
        for (String name : expected.keySet()) {
            float[] a = actual.get(name);
            float[] e = expected.get(name);
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i])) {
                    differing.add(name + "[" + i + "]: " + a[i] + " vs " + e[i]);
                    break;
                }
            }
        }
        assertThat(differing).as("tensors that differ bitwise").isEmpty();
    }
}
