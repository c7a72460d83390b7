package io.bulwark.model.attack;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words most typical of each label in training data (the "good words" of Lowd and Meek, 2005), ranked by the
 * smoothed log ratio of document frequencies {@code log((df(w, L) + a) / (N_L + 2a)) - log((df(w, rest) + a) /
 * (N_rest + 2a))} with a = 1, over lower-cased words of three or more letters found in at least {@code minCount}
 * documents. Built from training data only, so an attack using it never sees the evaluation texts.
 */
public final class GoodWords {
    private static final Pattern WORD = Pattern.compile("\\p{L}{3,}");

    private final Map<String, List<String>> byLabel;

    private GoodWords(Map<String, List<String>> byLabel) {
        this.byLabel = byLabel;
    }

    /** An accumulator of document frequencies. */
    public static Counter counter() {
        return new Counter();
    }

    /** The {@code n} words most typical of {@code label} (fewer if fewer qualify), most typical first. */
    public List<String> top(String label, int n) {
        List<String> all = byLabel.getOrDefault(label, List.of());
        return all.subList(0, Math.min(n, all.size()));
    }

    /** Counts, per label, the documents each word occurs in. */
    public static final class Counter {
        private final Map<String, Map<String, Integer>> df = new LinkedHashMap<>();
        private final Map<String, Integer> docs = new LinkedHashMap<>();

        private Counter() {}

        /** Counts the labeled examples of {@code examples}. */
        public Counter add(List<Example> examples) {
            for (Example e : examples) {
                if (e.label() == null) {
                    continue;
                }
                docs.merge(e.label(), 1, Integer::sum);
                Map<String, Integer> m = df.computeIfAbsent(e.label(), k -> new HashMap<>());
                Set<String> seen = new HashSet<>();
                Matcher w = WORD.matcher(e.text().toLowerCase(java.util.Locale.ROOT));
                while (w.find()) {
                    if (seen.add(w.group())) {
                        m.merge(w.group(), 1, Integer::sum);
                    }
                }
            }
            return this;
        }

        /** Ranks the words of every label, keeping the best {@code keep} found in at least {@code minCount} documents. */
        public GoodWords build(int keep, int minCount) {
            int total = docs.values().stream().mapToInt(Integer::intValue).sum();
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String label : docs.keySet()) {
                Map<String, Integer> own = df.get(label);
                int n = docs.get(label);
                int rest = total - n;
                List<Map.Entry<String, Double>> scored = new ArrayList<>();
                for (Map.Entry<String, Integer> e : own.entrySet()) {
                    if (e.getValue() < minCount) {
                        continue;
                    }
                    int other = 0;
                    for (Map.Entry<String, Map<String, Integer>> l : df.entrySet()) {
                        if (!l.getKey().equals(label)) {
                            other += l.getValue().getOrDefault(e.getKey(), 0);
                        }
                    }
                    double score = Math.log((e.getValue() + 1.0) / (n + 2.0)) - Math.log((other + 1.0) / (rest + 2.0));
                    scored.add(Map.entry(e.getKey(), score));
                }
                scored.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey())
                        : Double.compare(b.getValue(), a.getValue()));
                List<String> words = new ArrayList<>();
                for (int i = 0; i < Math.min(keep, scored.size()); i++) {
                    words.add(scored.get(i).getKey());
                }
                out.put(label, List.copyOf(words));
            }
            return new GoodWords(out);
        }
    }
}
