package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.NormType;
import io.bulwark.model.Recorder;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PgdAndFreeLbTest {

    private final List<Example> data = SyntheticData.keywordTask(64, 11);

    @ParameterizedTest
    @EnumSource(NormType.class)
    void pgdDoesKPlusOnePassesAndOneUpdate(NormType norm) {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.PGD).optSteps(3)
                .optNorm(norm).optEpsilon(norm == NormType.LINF ? 0.05 : 0.3).build();
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            learner.train(data.subList(0, 16)); // learns the labels
            rec.clear();
            StepResult r = learner.train(data.subList(16, 32));
            assertThat(r.passes()).isEqualTo(4);
            assertThat(r.updates()).isEqualTo(1);
            assertThat(rec.updateGradients).hasSize(1);
            assertThat(rec.updatedDeltas).hasSize(3);
            for (Recorder.Copy d : rec.updatedDeltas) {
                FreeAtTest.assertInBall(d, norm, config.epsilon());
            }
            // The update pass uses the last ascent step's delta.
            assertThat(rec.passStartDeltas).hasSize(4);
            assertThat(rec.passStartDeltas.get(3).data()).containsExactly(rec.updatedDeltas.get(2).data());
        }
    }

    @ParameterizedTest
    @EnumSource(NormType.class)
    void freeLbAveragesTheGradientsOfItsKPasses(NormType norm) {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREELB).optSteps(3)
                .optNorm(norm).optEpsilon(norm == NormType.LINF ? 0.05 : 0.3).optDropout(0.2).build();
        // Learner A: the real algorithm. Learner B (same seed): each pass's own gradient, zeroed in between.
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        b.recordPassGradients = true;
        b.isolate = true;
        try (Learner la = Learner.create(config); Learner lb = Learner.create(config)) {
            la.train(data.subList(0, 16));
            lb.train(data.subList(0, 16));
            la.setStepListener(a);
            lb.setStepListener(b);
            StepResult r = la.train(data.subList(16, 32));
            lb.train(data.subList(16, 32));
            assertThat(r.passes()).isEqualTo(3);
            assertThat(r.updates()).isEqualTo(1);
            assertThat(a.updateGradients).hasSize(1);
            assertThat(b.passGradients).hasSize(3);
            // Same deltas in both runs (the delta path does not depend on parameter-gradient accumulation).
            for (int k = 0; k < 3; k++) {
                assertThat(a.passStartDeltas.get(k).data()).containsExactly(b.passStartDeltas.get(k).data());
            }
            Map<String, float[]> applied = a.updateGradients.get(0);
            double maxDiff = 0;
            double maxAbs = 0;
            for (String name : applied.keySet()) {
                float[] got = applied.get(name);
                for (int i = 0; i < got.length; i++) {
                    double mean = 0;
                    for (Map<String, float[]> g : b.passGradients) {
                        mean += g.get(name)[i];
                    }
                    mean /= 3;
                    maxDiff = Math.max(maxDiff, Math.abs(mean - got[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(mean));
                }
            }
            assertThat(maxAbs).as("gradients are not trivially zero").isGreaterThan(1e-4);
            assertThat(maxDiff).as("max |mean of K pass gradients - applied gradient|").isCloseTo(0.0, within(1e-6));
            // Dropout masks are the same in the K passes.
            for (int k = 1; k < 3; k++) {
                assertThat(a.masksByPass.get(k).get("pooled.hidden").data())
                        .containsExactly(a.masksByPass.get(0).get("pooled.hidden").data());
            }
            // Every delta after an ascent step is in the ball.
            for (Recorder.Copy d : a.updatedDeltas) {
                FreeAtTest.assertInBall(d, norm, config.epsilon());
            }
        }
    }

    @Test
    void naturalTrainingDoesOnePassAndOneUpdate() {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.NATURAL).build();
        try (Learner learner = Learner.create(config)) {
            StepResult r = learner.train(data.subList(0, 16));
            assertThat(r.passes()).isEqualTo(1);
            assertThat(r.updates()).isEqualTo(1);
            assertThat(r.deltaNorm()).isZero();
        }
    }
}
