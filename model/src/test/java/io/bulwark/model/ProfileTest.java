package io.bulwark.model;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class ProfileTest {

    @Test
    void profile() {
        List<Example> data = SyntheticData.keywordTask(3200, 1);
        String[] which = System.getProperty("profile.configs", "small-natural").split(",");
        for (String w : which) {
            LearnerConfig.Builder b = w.startsWith("small") ? SyntheticData.small() : LearnerConfig.builder();
            if (w.contains("natural")) b.optStrategy(LearnerConfig.StrategyType.NATURAL);
            if (w.contains("nobreg")) b.optBregmanWeight(0);
            if (w.contains("transformer")) b.optEncoderType(LearnerConfig.EncoderType.TRANSFORMER);
            if (w.contains("nongram")) b.optCharNgrams(0);
            LearnerConfig config = b.build();
            int bs = config.batchSize();
            try (Learner l = Learner.create(config)) {
                int steps = 0;
                long t0 = 0;
                for (int i = 0; i + bs <= data.size(); i += bs) {
                    if (steps == 20) t0 = System.nanoTime();
                    l.train(data.subList(i, i + bs));
                    steps++;
                }
                double ms = (System.nanoTime() - t0) / 1e6 / (steps - 20);
                System.out.printf("PROFILE %s: %.2f ms/step over %d steps%n", w, ms, steps - 20);
            }
        }
    }
}
