package io.bulwark.model.attack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text cut into the words attacks edit (runs of two or more letters) and the gaps between them, so that edits
 * leave everything else byte for byte; words of the same lower-cased type are edited together.
 */
final class Words {
    private static final Pattern WORD = Pattern.compile("\\p{L}{2,}");

    private final List<String> parts = new ArrayList<>();
    /** Whether parts[i] is a word. */
    private final List<Boolean> isWord = new ArrayList<>();
    private final Map<String, Integer> typeCounts = new LinkedHashMap<>();

    Words(String text) {
        Matcher m = WORD.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                add(text.substring(last, m.start()), false);
            }
            add(m.group(), true);
            typeCounts.merge(type(m.group()), 1, Integer::sum);
            last = m.end();
        }
        if (last < text.length()) {
            add(text.substring(last), false);
        }
    }

    private void add(String s, boolean word) {
        parts.add(s);
        isWord.add(word);
    }

    static String type(String word) {
        return word.toLowerCase(Locale.ROOT);
    }

    /** Number of word occurrences. */
    int wordCount() {
        int n = 0;
        for (int c : typeCounts.values()) {
            n += c;
        }
        return n;
    }

    /** The distinct word types in order of first occurrence. */
    List<String> types() {
        return new ArrayList<>(typeCounts.keySet());
    }

    /** Occurrences of a word type. */
    int count(String type) {
        return typeCounts.getOrDefault(type, 0);
    }

    /** The text with every occurrence of a type in {@code edits} replaced by its edit (null edit = deleted). */
    String render(Map<String, UnaryOperator<String>> edits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (isWord.get(i) && edits.containsKey(type(p))) {
                UnaryOperator<String> e = edits.get(type(p));
                sb.append(e == null ? "" : e.apply(p));
            } else {
                sb.append(p);
            }
        }
        return sb.toString();
    }
}
