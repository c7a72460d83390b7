package io.bulwark.model.attack;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Character-level edits of one word, as spam senders make them. Each is a deterministic function of the word and a
 * seed, so every occurrence of a word gets the same edit and reruns give the same texts.
 */
public enum CharPerturbation {
    /** One random typo: swap two adjacent letters, drop one, or double one (DeepWordBug, Gao et al. 2018). */
    TYPO,
    /** Every letter with a usual digit/symbol twin replaced: a→4 e→3 i→1 l→1 o→0 s→5 t→7. */
    LEET,
    /** Every Latin letter with a Cyrillic look-alike replaced by it (а с е о р х у і ѕ ј). */
    HOMOGLYPH,
    /** A dot between every two letters: {@code f.r.e.e}. */
    SEPARATOR,
    /** A zero-width space (U+200B) between every two letters. */
    ZERO_WIDTH,
    /** Alternating upper and lower case: {@code FrEe}. */
    CASE;

    private static final Map<Character, Character> LEET_MAP = Map.of('a', '4', 'e', '3', 'i', '1', 'l', '1', 'o', '0',
            's', '5', 't', '7');
    private static final Map<Character, Character> HOMOGLYPHS = Map.of('a', 'а', 'c', 'с', 'e', 'е', 'o', 'о',
            'p', 'р', 'x', 'х', 'y', 'у', 'i', 'і', 's', 'ѕ', 'j', 'ј');

    /** The edited word (possibly equal to {@code word} when the edit does not apply to it). */
    public String apply(String word, long seed) {
        return switch (this) {
            case TYPO -> typo(word, new SplittableRandom(seed ^ ((long) word.hashCode() << 16)));
            case LEET -> replace(word, LEET_MAP);
            case HOMOGLYPH -> replace(word, HOMOGLYPHS);
            case SEPARATOR -> interleave(word, ".");
            case ZERO_WIDTH -> interleave(word, "\u200B");
            case CASE -> alternateCase(word);
        };
    }

    private static String typo(String w, SplittableRandom rng) {
        int n = w.length();
        if (n < 2) {
            return w;
        }
        for (int attempt = 0; attempt < 8; attempt++) {
            int op = rng.nextInt(3);
            StringBuilder sb = new StringBuilder(w);
            if (op == 0) {
                int i = rng.nextInt(n - 1);
                sb.setCharAt(i, w.charAt(i + 1));
                sb.setCharAt(i + 1, w.charAt(i));
            } else if (op == 1 && n >= 3) {
                sb.deleteCharAt(rng.nextInt(n));
            } else {
                int i = rng.nextInt(n);
                sb.insert(i, w.charAt(i));
            }
            if (!sb.toString().equals(w)) {
                return sb.toString();
            }
        }
        return w;
    }

    private static String replace(String w, Map<Character, Character> table) {
        StringBuilder sb = new StringBuilder(w.length());
        for (char c : w.toCharArray()) {
            char lower = Character.toLowerCase(c);
            Character r = table.get(lower);
            sb.append(r == null ? c : (c == lower ? r : Character.toUpperCase(r)));
        }
        return sb.toString();
    }

    private static String interleave(String w, String sep) {
        StringBuilder sb = new StringBuilder(w.length() * 2);
        int[] cps = w.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            if (i > 0) {
                sb.append(sep);
            }
            sb.appendCodePoint(cps[i]);
        }
        return sb.toString();
    }

    private static String alternateCase(String w) {
        StringBuilder sb = new StringBuilder(w.length());
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            sb.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return sb.toString();
    }
}
