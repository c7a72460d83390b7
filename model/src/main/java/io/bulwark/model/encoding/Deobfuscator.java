package io.bulwark.model.encoding;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalisation that undoes the character-level obfuscations spam filters meet, applied before tokenisation when
 * {@code encoder.normalization} is {@link Normalization#DEOBFUSCATE}. In order:
 *
 * <ol>
 *   <li>Unicode NFKC (fullwidth and mathematical letters become ASCII);
 *   <li>zero-width and invisible characters (U+200B-U+200F, U+2060-U+2064, U+FEFF, soft hyphen, ...) are removed;
 *   <li>Cyrillic, Greek and Latin-IPA look-alikes of Latin letters ({@link #CONFUSABLES}) are folded to the Latin
 *       letter, in each letter run that contains a Latin letter or consists only of look-alikes (so ordinary Greek or
 *       Russian words, which contain letters without a Latin twin, are left alone);
 *   <li>{@link TextNormalizer}: lower case, whitespace collapsed;
 *   <li>runs of three or more single letters joined by one repeated separator ({@code f.r.e.e}, {@code f-r-e-e},
 *       {@code f_r_e_e}) or by single spaces ({@code f r e e}) are joined into one word;
 *   <li>leetspeak inside words: a run of {@code 0 1 3 4 5 7 @ $} between two letters becomes o i e a s t a s
 *       ({@code v1agra}, {@code m0n3y}, {@code c@sh}); a trailing run of two or more such characters after two or more
 *       letters too ({@code fr33}), and any edge run of a word that already had an inner one.
 * </ol>
 *
 * <p>Chunks that look like URLs or e-mail addresses ({@code ://}, {@code www.}, {@code x@y.z}) skip the last two
 * steps; numbers (no letter) are never changed, and neither are leading digits ({@code 10am}, {@code 3d}) nor a
 * single trailing one ({@code mp3}). Known costs: a trailing {@code 10} after letters becomes {@code io}
 * ({@code win10}), and {@code 1} always becomes {@code i}, never {@code l}.
 */
public final class Deobfuscator {

    /** Look-alike code point to the Latin letter it imitates. */
    static final Map<Integer, Character> CONFUSABLES = confusables();

    private static final Pattern SEPARATED = Pattern.compile(
            "(?<![\\p{L}\\p{N}])\\p{L}([.\\-_*·•|/+~,:'])\\p{L}(?:\\1\\p{L})+(?![\\p{L}\\p{N}])");

    private Deobfuscator() {}

    private static Map<Integer, Character> confusables() {
        String[] pairs = {
            // Cyrillic capitals and small letters
            "Аa", "Вb", "Еe", "Кk", "Мm", "Нh", "Оo", "Рp", "Сc", "Тt", "Хx", "Уy", "Іi", "Јj", "Ѕs",
            "аa", "еe", "оo", "рp", "сc", "уy", "хx", "іi", "јj", "ѕs", "ԁd", "һh", "ӏl", "ԛq", "ԝw", "үy",
            // Greek capitals and small letters
            "Αa", "Βb", "Εe", "Ζz", "Ηh", "Ιi", "Κk", "Μm", "Νn", "Οo", "Ρp", "Τt", "Υy", "Χx",
            "αa", "οo", "ιi", "κk", "νv", "ρp", "τt", "υu", "χx", "ϲc",
            // Latin IPA and dotless letters
            "ıi", "ɑa", "ɡg", "ȷj", "ʏy",
        };
        java.util.HashMap<Integer, Character> m = new java.util.HashMap<>();
        for (String p : pairs) {
            String s = p;
            m.put(s.codePointAt(0), s.charAt(s.length() - 1));
        }
        return Map.copyOf(m);
    }

    /** Returns the de-obfuscated normal form of {@code text}. */
    public static String normalize(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = TextNormalizer.normalize(foldConfusables(removeInvisible(s)));
        List<String> chunks = new ArrayList<>(List.of(s.split(" ", -1)));
        for (int i = 0; i < chunks.size(); i++) {
            String c = chunks.get(i);
            if (!looksLikeAddress(c)) {
                chunks.set(i, deleet(joinSeparated(c)));
            }
        }
        return joinSpacedLetters(chunks);
    }

    /** Whether {@code cp} is a zero-width or invisible character this normaliser removes. */
    public static boolean isInvisible(int cp) {
        return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0x00AD
                || cp == 0x034F || cp == 0x180E || cp == 0x061C;
    }

    private static String removeInvisible(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().filter(cp -> !isInvisible(cp)).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    private static String foldConfusables(String s) {
        int[] cps = s.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            if (!Character.isLetter(cps[i])) {
                i++;
                continue;
            }
            int start = i;
            boolean latin = false;
            boolean allConfusable = true;
            boolean anyConfusable = false;
            while (i < cps.length && Character.isLetter(cps[i])) {
                boolean conf = CONFUSABLES.containsKey(cps[i]);
                anyConfusable |= conf;
                latin |= cps[i] < 0x80;
                allConfusable &= conf || cps[i] < 0x80;
                i++;
            }
            if (anyConfusable && (latin || allConfusable)) {
                for (int j = start; j < i; j++) {
                    Character c = CONFUSABLES.get(cps[j]);
                    if (c != null) {
                        cps[j] = c;
                    }
                }
            }
        }
        return new String(cps, 0, cps.length);
    }

    /** Whether {@code cp} is a Cyrillic, Greek or IPA look-alike of a Latin letter this normaliser folds. */
    public static boolean isConfusable(int cp) {
        return CONFUSABLES.containsKey(cp);
    }

    /** Whether a whitespace-free chunk looks like a URL or an e-mail address. */
    public static boolean looksLikeAddress(String chunk) {
        if (chunk.contains("://") || chunk.startsWith("www.")) {
            return true;
        }
        int at = chunk.indexOf('@');
        return at > 0 && chunk.indexOf('.', at) > at + 1;
    }

    private static String joinSeparated(String chunk) {
        Matcher m = SEPARATED.matcher(chunk);
        if (!m.find()) {
            return chunk;
        }
        StringBuilder sb = new StringBuilder();
        do {
            String sep = m.group(1);
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group().replace(sep, "")));
        } while (m.find());
        m.appendTail(sb);
        return sb.toString();
    }

    private static boolean isLeet(char c) {
        return leet(c) != 0;
    }

    private static char leet(char c) {
        return switch (c) {
            case '0' -> 'o';
            case '1' -> 'i';
            case '3' -> 'e';
            case '4', '@' -> 'a';
            case '5', '$' -> 's';
            case '7' -> 't';
            default -> 0;
        };
    }

    /** Undoes leetspeak in the letter/leet runs of one chunk (see the class comment for the rule). */
    static String deleet(String chunk) {
        char[] c = chunk.toCharArray();
        int i = 0;
        while (i < c.length) {
            if (!Character.isLetter(c[i]) && !isLeet(c[i])) {
                i++;
                continue;
            }
            int start = i;
            while (i < c.length && (Character.isLetter(c[i]) || isLeet(c[i]))) {
                i++;
            }
            deleetWord(c, start, i);
        }
        return new String(c);
    }

    private static void deleetWord(char[] c, int from, int to) {
        int letters = 0;
        boolean inner = false;
        for (int j = from; j < to; j++) {
            if (Character.isLetter(c[j])) {
                letters++;
            } else if (j > from && Character.isLetter(c[j - 1])) {
                int k = j;
                while (k < to && !Character.isLetter(c[k])) {
                    k++;
                }
                inner |= k < to;
            }
        }
        if (letters == 0) {
            return;
        }
        int lead = from;
        while (lead < to && !Character.isLetter(c[lead])) {
            lead++;
        }
        int trail = to;
        while (trail > from && !Character.isLetter(c[trail - 1])) {
            trail--;
        }
        boolean trailing = inner || (to - trail >= 2 && letters >= 2);
        for (int j = from; j < to; j++) {
            boolean edgeLead = j < lead;
            boolean edgeTrail = j >= trail;
            if (!Character.isLetter(c[j]) && ((!edgeLead && !edgeTrail) || (edgeLead && inner)
                    || (edgeTrail && trailing))) {
                c[j] = leet(c[j]);
            }
        }
    }

    private static String joinSpacedLetters(List<String> chunks) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < chunks.size()) {
            int j = i;
            while (j < chunks.size() && isSingleLetter(chunks.get(j))) {
                j++;
            }
            if (j - i >= 3) {
                append(sb, String.join("", chunks.subList(i, j)));
                i = j;
            } else {
                append(sb, chunks.get(i));
                i++;
            }
        }
        return sb.toString();
    }

    private static boolean isSingleLetter(String chunk) {
        return chunk.codePointCount(0, chunk.length()) == 1 && Character.isLetter(chunk.codePointAt(0));
    }

    private static void append(StringBuilder sb, String chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(chunk);
    }
}
