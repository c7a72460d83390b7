package io.bulwark.serving.bench;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.StreamOrder;
import io.bulwark.model.learner.Snapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small real models and texts for the benchmark and the integration tests. */
public final class BenchModels {

    private BenchModels() {}

    /** A small pooled learner (labels ham/spam, natural training) with the given seed. */
    public static Learner newLearner(long seed) {
        LearnerConfig config = LearnerConfig.builder()
                .optLabels(List.of("ham", "spam"))
                .optStrategy(LearnerConfig.StrategyType.NATURAL)
                .optBregmanWeight(0)
                .optBuckets(4096)
                .optEmbeddingDim(32)
                .optHiddenDim(32)
                .optMaxLength(64)
                .optBatchSize(16)
                .optSeed(seed)
                .build();
        return Learner.create(config);
    }

    /**
     * A snapshot of a learner with the default configuration (what the job trains unless told otherwise: FreeAT, the wide side,
     * no teacher unless {@code bregmanWeight} adds it) and labels ham/spam, trained for {@code batches} batches.
     */
    public static ModelSnapshot defaultSnapshot(List<Example> examples, int batches, double bregmanWeight) {
        try (Learner learner = Learner.create(LearnerConfig.builder().optLabels(List.of("ham", "spam"))
                .optBregmanWeight(bregmanWeight).build())) {
            train(learner, examples, batches);
            return snapshot(learner, "default", 1);
        }
    }

    /** Trains {@code learner} for {@code batches} batches of 16 over {@code examples} (cycling). */
    public static void train(Learner learner, List<Example> examples, int batches) {
        int at = 0;
        for (int b = 0; b < batches; b++) {
            List<Example> batch = new ArrayList<>(16);
            for (int i = 0; i < 16; i++) {
                batch.add(examples.get(at++ % examples.size()));
            }
            learner.train(batch);
        }
    }

    /** A snapshot of {@code learner} as model {@code modelId}, version {@code version}. */
    public static ModelSnapshot snapshot(Learner learner, String modelId, long version) {
        return Snapshots.toAvro(learner, modelId, version, version > 1 ? version - 1 : null, List.of(),
                Map.of("prequentialAccuracy", 0.0));
    }

    /**
     * Labeled texts: the bundled SpamAssassin sample (shuffled, texts cut to {@code maxChars}) when it can be found,
     * otherwise generated ham/spam sentences.
     */
    public static List<Example> examples(long seed, int maxChars) {
        try {
            List<Example> out = new ArrayList<>();
            for (Example e : BundledCorpus.loadSample(StreamOrder.SHUFFLED, seed)) {
                String t = e.text().length() > maxChars ? e.text().substring(0, maxChars) : e.text();
                if (!t.isBlank()) {
                    out.add(Example.of(t, e.label()));
                }
            }
            if (out.size() >= 50) {
                return out;
            }
        } catch (RuntimeException e) {
            // fall through to generated texts
        }
        return generated(seed, 400);
    }

    /** Generated two-class texts: spam-like and ham-like word mixes. */
    public static List<Example> generated(long seed, int n) {
        String[] spam = {"win", "free", "money", "offer", "click", "prize", "cash", "viagra", "deal", "urgent", "credit",
            "winner", "claim", "limited", "bonus"};
        String[] ham = {"meeting", "tomorrow", "project", "lunch", "report", "thanks", "review", "code", "team",
            "schedule", "notes", "draft", "kernel", "patch", "build"};
        String[] common = {"the", "a", "to", "and", "of", "you", "for", "is", "on", "with"};
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean isSpam = rnd.nextBoolean();
            String[] words = isSpam ? spam : ham;
            StringBuilder sb = new StringBuilder();
            int len = 6 + rnd.nextInt(20);
            for (int w = 0; w < len; w++) {
                if (w > 0) {
                    sb.append(' ');
                }
                sb.append(rnd.nextInt(3) == 0 ? common[rnd.nextInt(common.length)] : words[rnd.nextInt(words.length)]);
            }
            out.add(Example.of(sb.toString(), isSpam ? "spam" : "ham"));
        }
        return out;
    }
}
