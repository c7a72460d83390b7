package io.bulwark.model.attack;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, stratified random split: {@code perClass} examples of every label are held out, the rest (in a seeded
 * random order) are for training. Random rather than the tail, because the bundled corpus is ordered by source.
 *
 * @param training the training examples, shuffled
 * @param heldout the held-out examples, {@code perClass} of each label (all of a label that has fewer)
 */
public record HeldOutSplit(List<Example> training, List<Example> heldout) {

    /** Splits the labeled examples of {@code examples}. */
    public static HeldOutSplit of(List<Example> examples, int perClass, long seed) {
        Map<String, List<Example>> byLabel = new TreeMap<>();
        for (Example e : examples) {
            if (e.label() != null) {
                byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
            }
        }
        Random rng = new Random(seed);
        List<Example> training = new ArrayList<>();
        List<Example> heldout = new ArrayList<>();
        for (List<Example> group : byLabel.values()) {
            List<Example> g = new ArrayList<>(group);
            Collections.shuffle(g, rng);
            int k = Math.min(perClass, g.size());
            heldout.addAll(g.subList(0, k));
            training.addAll(g.subList(k, g.size()));
        }
        Collections.shuffle(training, rng);
        Collections.shuffle(heldout, rng);
        return new HeldOutSplit(List.copyOf(training), List.copyOf(heldout));
    }
}
