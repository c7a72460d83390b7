package io.bulwark.model.continual.benchmark;

import io.bulwark.model.Example;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.StreamOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A labeled stream of the continual benchmark with its held-out texts and era boundaries.
 *
 * @param name the stream order's name
 * @param labels the labels, in class order
 * @param events the stream, in order
 * @param heldOut held-out texts, balanced over the classes, never in the stream
 * @param eraEnds the event counts after which an era ends (the last is the stream's length)
 */
public record ContinualStream(String name, List<String> labels, List<Example> events, List<Example> heldOut,
                              List<Integer> eraEnds) {

    /** The stream orders of the benchmark. */
    public static final List<String> ORDERS = List.of("shuffled", "original", "topics");

    private static final int ERAS = 4;

    /**
     * Builds stream {@code name} for {@code seed}.
     *
     * @param heldOutPerClass held-out texts per class
     * @param limit at most this many events (0 = all), evenly spaced over the stream
     */
    public static ContinualStream of(String name, long seed, int heldOutPerClass, int limit) {
        return switch (name) {
            case "shuffled" -> corpus(name, BundledCorpus.load(StreamOrder.SHUFFLED, seed), seed, heldOutPerClass,
                    limit);
            case "original" -> corpus(name, BundledCorpus.load(StreamOrder.ORIGINAL, 0L), seed, heldOutPerClass,
                    limit);
            case "topics" -> topics(seed, heldOutPerClass, limit);
            default -> throw new IllegalArgumentException("Unknown stream '" + name + "'; expected one of " + ORDERS);
        };
    }

    private static ContinualStream corpus(String name, List<Example> all, long seed, int heldOutPerClass,
                                          int limit) {
        Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byLabel.computeIfAbsent(all.get(i).label(), k -> new ArrayList<>()).add(i);
        }
        List<String> labels = new ArrayList<>(byLabel.keySet());
        Collections.sort(labels);
        boolean[] held = new boolean[all.size()];
        List<Example> heldOut = new ArrayList<>();
        Random random = new Random(seed * 31 + 7);
        for (String l : labels) {
            List<Integer> idx = new ArrayList<>(byLabel.get(l));
            Collections.shuffle(idx, random);
            for (int i = 0; i < Math.min(heldOutPerClass, idx.size() / 4); i++) {
                held[idx.get(i)] = true;
                heldOut.add(all.get(idx.get(i)));
            }
        }
        List<Example> rest = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!held[i]) {
                rest.add(all.get(i));
            }
        }
        // A limit keeps evenly spaced events, so the eras of the original order keep their proportions.
        List<Example> events = new ArrayList<>();
        int n = limit > 0 ? Math.min(limit, rest.size()) : rest.size();
        for (int i = 0; i < n; i++) {
            events.add(rest.get((int) ((long) i * rest.size() / n)));
        }
        List<Integer> ends = new ArrayList<>();
        for (int e = 1; e <= ERAS; e++) {
            ends.add(events.size() * e / ERAS);
        }
        return new ContinualStream(name, labels, events, heldOut, ends);
    }

    private static ContinualStream topics(long seed, int heldOutPerClass, int limit) {
        SyntheticTopics gen = new SyntheticTopics(ERAS, seed);
        int perEra = limit > 0 ? Math.max(1, limit / ERAS) : 750;
        List<Example> events = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        for (int e = 0; e < ERAS; e++) {
            events.addAll(gen.era(e, perEra));
            ends.add(events.size());
        }
        return new ContinualStream("topics", gen.labels(), events, gen.balanced(heldOutPerClass), ends);
    }
}
