package io.bulwark.model.continual.benchmark;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded multi-class stream of short texts that no part of the learner was tuned on: {@code topics} classes, each
 * a Zipf-distributed vocabulary of pseudo-words that overlaps the other topics', drawn inside texts that are mostly
 * shared background words. Classes arrive one after another (class-incremental eras) and their shares change from
 * era to era (label shift).
 *
 * <p>Era {@code e} of {@code topics} eras holds the classes {@code 0..e}; within it the newest class has half of the
 * examples and the older ones share the rest, except in the last era, where the oldest class dominates again.
 */
public final class SyntheticTopics {
    private static final int TOPIC_WORDS = 400;
    private static final int BACKGROUND_WORDS = 2000;
    private static final double TOPIC_SHARE = 0.22;
    private static final double OVERLAP = 0.35;

    private final int topics;
    private final Random random;
    private final String[] background;
    private final String[][] topicWords;

    /** A generator of {@code topics} classes seeded with {@code seed}. */
    public SyntheticTopics(int topics, long seed) {
        if (topics < 2) {
            throw new IllegalArgumentException("topics must be >= 2, got " + topics);
        }
        this.topics = topics;
        this.random = new Random(seed);
        this.background = words(BACKGROUND_WORDS);
        String[] pool = words(TOPIC_WORDS * topics);
        this.topicWords = new String[topics][TOPIC_WORDS];
        for (int t = 0; t < topics; t++) {
            for (int i = 0; i < TOPIC_WORDS; i++) {
                // A share of every topic's words comes from the whole pool, so topics overlap.
                topicWords[t][i] = random.nextDouble() < OVERLAP ? pool[random.nextInt(pool.length)]
                        : pool[t * TOPIC_WORDS + i];
            }
        }
    }

    /** The label of topic {@code t}. */
    public static String label(int t) {
        return "topic" + t;
    }

    /** The labels, in class order. */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            out.add(label(t));
        }
        return out;
    }

    /** One text of topic {@code t}. */
    public Example example(int t) {
        int length = 6 + random.nextInt(20);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            String w = random.nextDouble() < TOPIC_SHARE ? topicWords[t][zipf(TOPIC_WORDS)]
                    : background[zipf(BACKGROUND_WORDS)];
            sb.append(i == 0 ? "" : " ").append(w);
        }
        return Example.of(sb.toString(), label(t));
    }

    /** {@code perClass} texts of every topic (a held-out set). */
    public List<Example> balanced(int perClass) {
        List<Example> out = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            for (int i = 0; i < perClass; i++) {
                out.add(example(t));
            }
        }
        return out;
    }

    /** An era of {@code size} texts with the class shares of era {@code era} (0-based, {@code topics} eras). */
    public List<Example> era(int era, int size) {
        int present = Math.min(topics, era + 1);
        double[] share = new double[present];
        if (era == topics - 1 && present > 2) {
            share[0] = 0.5;
            for (int t = 1; t < present; t++) {
                share[t] = 0.5 / (present - 1);
            }
        } else {
            share[present - 1] = present == 1 ? 1.0 : 0.5;
            for (int t = 0; t < present - 1; t++) {
                share[t] = 0.5 / (present - 1);
            }
        }
        List<Example> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            double u = random.nextDouble();
            int t = 0;
            while (t < present - 1 && u >= share[t]) {
                u -= share[t];
                t++;
            }
            out.add(example(t));
        }
        return out;
    }

    private int zipf(int n) {
        // Inverse-CDF approximation of a Zipf(1) rank: exp(u * ln(n + 1)) - 1.
        int r = (int) Math.floor(Math.exp(random.nextDouble() * Math.log(n + 1.0)) - 1.0);
        return Math.min(n - 1, Math.max(0, r));
    }

    private String[] words(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 3 + random.nextInt(6);
            for (int j = 0; j < length; j++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            out[i] = sb.toString();
        }
        return out;
    }
}
