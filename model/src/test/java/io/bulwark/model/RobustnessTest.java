package io.bulwark.model;

import io.bulwark.model.learner.Learner;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The defining property of adversarial training: robustness to the attack it trains against. */
class RobustnessTest {

    @Test
    void freeAtModelLosesMuchLessAccuracyUnderPgdThanANaturalModel() {
        List<Example> train = SyntheticData.keywordTask(320, 31);
        List<Example> test = SyntheticData.keywordTask(150, 32);
        LearnerConfig base = SyntheticData.small().optBregmanWeight(0).optEpsilon(0.1).build();
        PgdAttack attack = new PgdAttack(10, 0.1, 0.025, 1, LearnerConfig.NormType.LINF);
        Evaluation natural = trainAndEvaluate(base.toBuilder().optStrategy(LearnerConfig.StrategyType.NATURAL)
                .build(), train, test, attack, 4);
        Evaluation freeAt = trainAndEvaluate(base.toBuilder().optStrategy(LearnerConfig.StrategyType.FREEAT)
                .optSteps(4).build(), train, test, attack, 3);
        String report = "natural " + natural + " / freeat " + freeAt;
        System.out.println("Robustness: " + report);
        assertThat(natural.cleanAccuracy()).as(report).isGreaterThan(0.9);
        assertThat(freeAt.cleanAccuracy()).as(report).isGreaterThan(0.9);
        double naturalDrop = natural.cleanAccuracy() - natural.robustAccuracy();
        double freeAtDrop = freeAt.cleanAccuracy() - freeAt.robustAccuracy();
        assertThat(naturalDrop).as("natural accuracy drop under attack; " + report).isGreaterThan(0.3);
        assertThat(naturalDrop - freeAtDrop).as("margin between accuracy drops; " + report).isGreaterThan(0.4);
        // the worst loss the attack reaches is above the clean loss, and far more so for the natural model
        double naturalGap = natural.adversarialLoss() - natural.loss();
        double freeAtGap = freeAt.adversarialLoss() - freeAt.loss();
        assertThat(freeAtGap).as("FreeAT loss gap; " + report).isGreaterThan(0);
        assertThat(naturalGap).as("natural loss gap against FreeAT's; " + report).isGreaterThan(2 * freeAtGap);
    }

    private static Evaluation trainAndEvaluate(LearnerConfig config, List<Example> train, List<Example> test,
                                               PgdAttack attack, int epochs) {
        try (Learner learner = Learner.create(config)) {
            for (int e = 0; e < epochs; e++) {
                for (int i = 0; i < train.size(); i += config.batchSize()) {
                    learner.train(train.subList(i, Math.min(train.size(), i + config.batchSize())));
                }
            }
            return learner.evaluate(test, attack);
        }
    }
}
