package io.bulwark.job.testutil;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.LearnerConfig;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small learner configurations and synthetic spam/ham events with a known answer, for tests. */
public final class TestData {

    private static final String[] SPAM = {"viagra", "lottery", "winner", "casino", "bitcoin", "prize"};
    private static final String[] HAM = {"meeting", "report", "lunch", "schedule", "project", "invoice"};

    private TestData() {
    }

    /** A learner configuration that trains in milliseconds per batch and checkpoints in kilobytes. */
    public static LearnerConfig.Builder smallLearner() {
        return LearnerConfig.builder()
                .optBuckets(1024)
                .optMaxLength(16)
                .optCharNgrams(0)
                .optEmbeddingDim(16)
                .optHiddenDim(16)
                .optSteps(2)
                .optWarmupSteps(0)
                .optLearningRate(5e-3)
                .optSeed(7);
    }

    /** The {@code learner.*} options of {@link #smallLearner()}, for job configurations. */
    public static java.util.Map<String, String> smallLearnerOptions() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        smallLearner().build().toMap().forEach((k, v) -> out.put("learner." + k, v));
        return out;
    }

    /** Returns a keyword text of the class and the class label. */
    public static String[] text(Random r, boolean spam) {
        List<String> words = new ArrayList<>();
        int fillers = 3 + r.nextInt(5);
        for (int k = 0; k < fillers; k++) {
            words.add("w" + r.nextInt(200));
        }
        String[] pool = spam ? SPAM : HAM;
        words.add(r.nextInt(words.size() + 1), pool[r.nextInt(pool.length)]);
        return new String[] {String.join(" ", words), spam ? "spam" : "ham"};
    }

    /** Returns {@code n} labeled events of one model, ids {@code prefix-0..n-1}, offsets 0..n-1 of partition 0. */
    public static List<TrainingEvent> events(String modelId, String prefix, int n, long seed) {
        Random r = new Random(seed);
        List<TrainingEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] tl = text(r, r.nextBoolean());
            out.add(event(modelId, prefix + "-" + i, tl[0], tl[1], i));
        }
        return out;
    }

    /** Returns one training event. */
    public static TrainingEvent event(String modelId, String id, String text, String label, long offset) {
        TrainingEvent e = new TrainingEvent();
        e.modelId = modelId;
        e.id = id;
        e.text = text;
        e.label = label;
        e.weight = 1f;
        e.eventTime = 1_700_000_000_000L + offset;
        e.topic = "bulwark.events";
        e.partition = 0;
        e.offset = offset;
        e.key = modelId.getBytes(StandardCharsets.UTF_8);
        e.value = ("raw-" + id).getBytes(StandardCharsets.UTF_8);
        return e;
    }

    /** Returns {@code n} LabeledText records of one model key (null = default model). */
    public static List<LabeledText> labeledTexts(String modelKey, String prefix, int n, long seed) {
        Random r = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] tl = text(r, r.nextBoolean());
            out.add(LabeledText.newBuilder().setId(prefix + "-" + i).setText(tl[0]).setLabel(tl[1])
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i)).setModelKey(modelKey).build());
        }
        return out;
    }
}
