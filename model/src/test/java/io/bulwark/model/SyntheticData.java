package io.bulwark.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tiny synthetic text classification tasks with a known answer, for tests. */
public final class SyntheticData {

    private SyntheticData() {}

    /**
     * Two classes, "spam" and "ham": each text has 4-10 shared filler words and 1-2 class keywords from a small
     * per-class list, in random order.
     */
    public static List<Example> keywordTask(int n, long seed) {
        Random r = new Random(seed);
        String[] spam = {"viagra", "lottery", "winner", "casino", "bitcoin", "prize"};
        String[] ham = {"meeting", "report", "lunch", "schedule", "project", "invoice"};
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean isSpam = r.nextBoolean();
            List<String> words = new ArrayList<>();
            int fillers = 4 + r.nextInt(7);
            for (int k = 0; k < fillers; k++) {
                words.add("w" + r.nextInt(300));
            }
            int keys = 1 + r.nextInt(2);
            for (int k = 0; k < keys; k++) {
                String[] pool = isSpam ? spam : ham;
                words.add(r.nextInt(words.size() + 1), pool[r.nextInt(pool.length)]);
            }
            out.add(Example.of(String.join(" ", words), isSpam ? "spam" : "ham"));
        }
        return out;
    }

    /** A learner of {@code config} trained on 64 examples of {@link #keywordTask} (seed 4) in batches of 16. */
    public static io.bulwark.model.learner.Learner trained(LearnerConfig config) {
        io.bulwark.model.learner.Learner learner = io.bulwark.model.learner.Learner.create(config);
        List<Example> data = keywordTask(64, 4);
        for (int i = 0; i < data.size(); i += 16) {
            learner.train(data.subList(i, i + 16));
        }
        return learner;
    }

    /** A small configuration that trains in milliseconds per step. */
    public static LearnerConfig.Builder small() {
        return LearnerConfig.builder()
                .optBuckets(2048)
                .optMaxLength(16)
                .optCharNgrams(0)
                .optEmbeddingDim(16)
                .optHiddenDim(32)
                .optBatchSize(16)
                .optWarmupSteps(0)
                .optEpsilonRamp(0)
                .optLearningRate(5e-3);
    }
}
