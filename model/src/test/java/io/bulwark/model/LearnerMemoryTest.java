package io.bulwark.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.learner.Learner;
import org.junit.jupiter.api.Test;

class LearnerMemoryTest {

    private static long parameterBytes(Learner l) {
        return l.parameterValues().values().stream().mapToLong(v -> (long) v.length * Float.BYTES).sum();
    }

    @Test
    void memoryCountsParametersMomentsTeacherAndDeltaBank() {
        LearnerConfig natural = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.NATURAL)
                .optContinual(ContinualConfig.OFF).build();
        try (Learner plain = Learner.create(natural);
             Learner withTeacher = Learner.create(natural.toBuilder().optBregmanWeight(1.0).build());
             Learner freeAt = Learner.create(natural.toBuilder().optStrategy(LearnerConfig.StrategyType.FREEAT)
                     .build())) {
            long params = parameterBytes(plain);
            // Parameters and Adam's two moments.
            assertThat(plain.memoryBytes()).isEqualTo(3 * params);
            assertThat(withTeacher.memoryBytes()).as("plus the teacher, a copy of the parameters")
                    .isEqualTo(4 * params);
            long bank = (long) natural.batchSize() * natural.maxLength() * natural.embeddingDim() * Float.BYTES;
            assertThat(freeAt.memoryBytes()).as("plus FreeAT's delta bank").isEqualTo(3 * params + bank);
        }
        try (Learner continual = Learner.create(SyntheticData.small().build())) {
            assertThat(continual.memoryBytes()).as("the wide side and the replay reservoir count too")
                    .isGreaterThan(3 * parameterBytes(continual));
        }
    }
}
