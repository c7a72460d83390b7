package io.bulwark.model;

import io.bulwark.model.learner.Learner;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every step's native arrays (activations, gradient handles, deltas) are released: VmRSS stays flat. The module's
 * surefire configuration runs tests with a fixed, pre-touched heap, so VmRSS growth is native growth.
 */
class NativeMemoryTest {

    @Test
    void residentMemoryStaysFlatOverManySteps() throws IOException {
        LearnerConfig config = SyntheticData.small().optBuckets(1024).optEmbeddingDim(8).optHiddenDim(16)
                .optMaxLength(8).optBatchSize(8).optCharNgrams(3).optSteps(2).optBregmanWeight(1.0).build();
        runAndCheck(config, 1_500, 300, 64);
    }

    @Test
    @Tag("slow")
    void residentMemoryStaysFlatOverTenThousandSteps() throws IOException {
        LearnerConfig config = SyntheticData.small().optCharNgrams(3).optSmartWeight(0.5).optBregmanWeight(1.0)
                .build();
        runAndCheck(config, 10_000, 1_000, 64);
    }

    private static void runAndCheck(LearnerConfig config, int steps, int warmup, long maxGrowthMb) throws IOException {
        List<Example> data = SyntheticData.keywordTask(config.batchSize() * 50, 17);
        long baseline = 0;
        long peak = Long.MIN_VALUE;
        try (Learner learner = Learner.create(config)) {
            int arrays = -1;
            for (int s = 0; s <= steps; s++) {
                int from = (s % 50) * config.batchSize();
                learner.train(data.subList(from, from + config.batchSize()));
                if (s == warmup) {
                    learner.evaluate(data.subList(0, 16), PgdAttack.defaults(config));
                    baseline = rssKb();
                    arrays = learner.nativeArrayCount();
                }
                if (s > warmup && s % 100 == 0) {
                    peak = Math.max(peak, rssKb());
                }
            }
            learner.evaluate(data.subList(0, 16), PgdAttack.defaults(config));
            assertThat(learner.nativeArrayCount()).as("arrays owned by the learner").isEqualTo(arrays);
        }
        long growthMb = (peak - baseline) / 1024;
        System.out.printf("VmRSS after %d steps: %d MB, peak %d MB up to step %d (growth %d MB)%n", warmup,
                baseline / 1024, peak / 1024, steps, growthMb);
        assertThat(growthMb).as("VmRSS growth in MB from step %d (%d MB) to step %d", warmup, baseline / 1024, steps)
                .isLessThan(maxGrowthMb);
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("No VmRSS in /proc/self/status");
    }
}
