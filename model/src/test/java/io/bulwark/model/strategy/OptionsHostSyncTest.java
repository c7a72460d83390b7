package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.AdversaryConfig;
import io.bulwark.model.ContinualConfig;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.StrategyType;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Learner;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** YOPO, the token delta bank, discrete substitutions, the relative epsilon and the probe keep one read per batch. */
class OptionsHostSyncTest {

    private final List<Example> data = SyntheticData.keywordTask(96, 6);

    @ParameterizedTest(name = "{0}-{1} bank {2} flips {3} scale {4} probe {5}")
    @CsvSource({"YOPO, 3, POSITION, 0, ABSOLUTE, 0", "YOPO, 2, POSITION, 0, EMBEDDING_RMS, 0",
        "FREEAT, 3, TOKEN, 0, ABSOLUTE, 0", "FREEAT, 3, POSITION, 2, ABSOLUTE, 0",
        "FREEAT, 3, POSITION, 0, EMBEDDING_RMS, 0", "FREEAT, 2, POSITION, 0, ABSOLUTE, 8"})
    void atMostOneHostReadPerBatch(StrategyType strategy, int steps, AdversaryConfig.DeltaBank bank, int flips,
                                   AdversaryConfig.EpsilonScale scale, int probe) {
        LearnerConfig config = SyntheticData.small().optStrategy(strategy).optSteps(steps)
                .optLabels(List.of("ham", "spam"))
                .optAdversary(new AdversaryConfig(3, bank, scale, flips))
                .optContinual(ContinualConfig.DEFAULTS.withWideBuckets(4096).withProbePerClass(probe)).build();
        try (Learner learner = Learner.create(config)) {
            for (int i = 0; i < data.size(); i += 16) {
                long before = learner.hostReads();
                learner.train(data.subList(i, i + 16));
                assertThat(learner.hostReads() - before).as("host reads of batch %d", i / 16).isLessThanOrEqualTo(1);
            }
            assertThat(learner.hostReads()).as("one read per batch").isEqualTo(data.size() / 16);
        }
    }
}
