package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.StrategyType;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.NativeOps;
import ai.djl.ndarray.NDArray;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A training step reads the device once, at its end, whatever the strategy, its passes and its regularisers. */
class HostSyncTest {

    private final List<Example> data = SyntheticData.keywordTask(96, 5);

    @ParameterizedTest(name = "{0}-{1}, Bregman and SMART {2}")
    @CsvSource({"NATURAL, 1, false", "NATURAL, 1, true", "FREEAT, 4, false", "FREEAT, 4, true", "PGD, 3, false",
        "PGD, 3, true", "FREELB, 3, false", "FREELB, 3, true"})
    void atMostOneHostReadPerBatch(StrategyType strategy, int steps, boolean regularised) {
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(steps)
                .optBregmanWeight(regularised ? 1.0 : 0.0).optSmartWeight(regularised ? 0.5 : 0.0).build();
        try (Learner learner = Learner.create(config)) {
            for (int i = 0; i < data.size(); i += 16) {
                long threadBefore = HostReads.count();
                long before = learner.hostReads();
                StepResult r = learner.train(data.subList(i, i + 16));
                assertThat(r.passes()).isGreaterThanOrEqualTo(steps);
                assertThat(learner.hostReads() - before).as("host reads of batch %d", i / 16).isLessThanOrEqualTo(1);
                assertThat(HostReads.count() - threadBefore).isEqualTo(learner.hostReads() - before);
            }
            assertThat(learner.hostReads()).as("one read per batch").isEqualTo(data.size() / 16);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NATURAL", "FREEAT", "PGD", "FREELB"})
    void aSkippedUpdateIsFoundWithTheSameSingleRead(StrategyType strategy) {
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(2).build();
        try (Learner learner = Learner.create(config)) {
            learner.train(data.subList(0, 16));
            learner.setStepListener(new StepListener() {
                @Override
                public NDArray adjustLoss(int pass, NDArray loss) {
                    return loss.mul(Float.NaN);
                }
            });
            long before = learner.hostReads();
            StepResult r = learner.train(data.subList(16, 32));
            assertThat(r.skipped()).isTrue();
            assertThat(learner.hostReads() - before).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}-{1}")
    @CsvSource({"NATURAL, 1", "FREEAT, 4"})
    void nativeOperatorsAreCountedPerStepAndGrowWithThePasses(StrategyType strategy, int steps) {
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(steps).build();
        try (Learner learner = Learner.create(config)) {
            learner.train(data.subList(0, 16));
            long first = NativeOps.count(() -> learner.train(data.subList(16, 32)));
            long second = NativeOps.count(() -> learner.train(data.subList(32, 48)));
            assertThat(first).isPositive();
            // The same shapes of work give the same count.
            assertThat(second).isEqualTo(first);
        }
    }
}
