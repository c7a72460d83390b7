package io.bulwark.model.attack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One example under attack: its text cut into {@link Words}, its true label index, and (computed on first use, then
 * shared by the attacks that need it) its word types ranked by leave-one-out importance to the victim.
 */
public final class Target {
    private final String text;
    private final int label;
    private final long seed;
    private final Words words;
    private final int maxRankedTypes;
    private List<String> ranked;
    private int rankingQueries;

    Target(String text, int label, long seed, int maxRankedTypes) {
        this.text = text;
        this.label = label;
        this.seed = seed;
        this.words = new Words(text);
        this.maxRankedTypes = maxRankedTypes;
    }

    /** The original text. */
    public String text() {
        return text;
    }

    /** The index of the true label in the victim's labels. */
    public int label() {
        return label;
    }

    /** The seed of this example's random edits. */
    public long seed() {
        return seed;
    }

    Words words() {
        return words;
    }

    /**
     * The first {@code maxRankedTypes} word types, most important first: the drop of the true label's probability
     * when every occurrence of the type is deleted (one batch of queries, plus one for the original text).
     */
    List<String> ranked(Victim victim) {
        if (ranked == null) {
            List<String> types = words.types();
            types = new ArrayList<>(types.subList(0, Math.min(types.size(), maxRankedTypes)));
            List<String> texts = new ArrayList<>(types.size() + 1);
            texts.add(text);
            for (String t : types) {
                Map<String, UnaryOperator<String>> delete = new HashMap<>();
                delete.put(t, null);
                texts.add(words.render(delete));
            }
            double[][] p = victim.probabilities(texts);
            Map<String, Double> drop = new HashMap<>();
            for (int i = 0; i < types.size(); i++) {
                drop.put(types.get(i), p[0][label] - p[i + 1][label]);
            }
            types.sort(Comparator.comparingDouble((String t) -> -drop.get(t)));
            ranked = types;
            rankingQueries = texts.size();
        }
        return ranked;
    }

    /** Queries spent by {@link #ranked} (0 before it ran). */
    int rankingQueries() {
        return rankingQueries;
    }
}
