package io.bulwark.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The edits spammers make to slip past filters, applied to one word: character obfuscation (leetspeak digits,
 * Cyrillic look-alike letters, an inserted dot, a dropped letter) and substitution of a spam word by a paraphrase
 * (Lee and Ng, "Spam deobfuscation using a hidden Markov model", CEAS 2005; Gao et al., "Black-box generation of
 * adversarial text sequences to evade deep learning classifiers" (DeepWordBug), 2018; Li et al., "TextBugger", 2019).
 */
public final class TextEdits {

    /** A kind of edit. */
    public enum Kind {
        /** One letter replaced by a look-alike digit: {@code free -> fr3e}. */
        LEET,
        /** One Latin letter replaced by its Cyrillic homoglyph: {@code offer -> оffer}. */
        HOMOGLYPH,
        /** A dot inserted in the middle of the word: {@code viagra -> via.gra}. */
        INSERT,
        /** One inner letter (a vowel if possible) dropped: {@code credit -> crdit}. */
        DELETE,
        /** The word replaced by a paraphrase of the same meaning: {@code free -> complimentary}. */
        WORD
    }

    /** The character-level edit kinds. */
    public static final List<Kind> CHARACTER = List.of(Kind.LEET, Kind.HOMOGLYPH, Kind.INSERT, Kind.DELETE);
    /** The word-level edit kinds. */
    public static final List<Kind> WORD = List.of(Kind.WORD);

    private static final Map<Character, Character> LEET = Map.of('a', '4', 'e', '3', 'i', '1', 'o', '0', 's', '5',
            't', '7', 'l', '1', 'g', '9', 'b', '8');

    private static final Map<Character, Character> HOMOGLYPHS = Map.ofEntries(
            Map.entry('a', '\u0430'), Map.entry('e', '\u0435'), Map.entry('o', '\u043E'), Map.entry('p', '\u0440'),
            Map.entry('c', '\u0441'), Map.entry('x', '\u0445'), Map.entry('y', '\u0443'), Map.entry('i', '\u0456'),
            Map.entry('A', '\u0410'), Map.entry('E', '\u0415'), Map.entry('O', '\u041E'), Map.entry('P', '\u0420'),
            Map.entry('C', '\u0421'), Map.entry('T', '\u0422'), Map.entry('M', '\u041C'), Map.entry('H', '\u041D'),
            Map.entry('B', '\u0412'), Map.entry('K', '\u041A'), Map.entry('X', '\u0425'));

    /** Paraphrases of words frequent in spam (and a few in ham), as spammers rewrite them. */
    private static final Map<String, List<String>> PARAPHRASES = Map.ofEntries(
            Map.entry("free", List.of("complimentary", "no-cost")),
            Map.entry("money", List.of("cash", "funds")),
            Map.entry("cash", List.of("money", "funds")),
            Map.entry("click", List.of("tap", "visit")),
            Map.entry("here", List.of("below", "this")),
            Map.entry("buy", List.of("purchase", "get")),
            Map.entry("order", List.of("request", "reserve")),
            Map.entry("offer", List.of("deal", "proposal")),
            Map.entry("cheap", List.of("affordable", "inexpensive")),
            Map.entry("guarantee", List.of("promise", "assurance")),
            Map.entry("guaranteed", List.of("assured", "certain")),
            Map.entry("win", List.of("get", "receive")),
            Map.entry("winner", List.of("recipient", "selected")),
            Map.entry("credit", List.of("loan", "financing")),
            Map.entry("mortgage", List.of("home-loan", "refinance")),
            Map.entry("income", List.of("earnings", "revenue")),
            Map.entry("earn", List.of("make", "receive")),
            Map.entry("investment", List.of("opportunity", "venture")),
            Map.entry("opportunity", List.of("chance", "option")),
            Map.entry("business", List.of("company", "venture")),
            Map.entry("unsubscribe", List.of("opt-out", "leave")),
            Map.entry("remove", List.of("delete", "exclude")),
            Map.entry("removed", List.of("deleted", "excluded")),
            Map.entry("limited", List.of("exclusive", "short")),
            Map.entry("now", List.of("today", "immediately")),
            Map.entry("today", List.of("now", "soon")),
            Map.entry("save", List.of("keep", "reduce")),
            Map.entry("price", List.of("cost", "rate")),
            Map.entry("prices", List.of("costs", "rates")),
            Map.entry("sale", List.of("promotion", "event")),
            Map.entry("discount", List.of("reduction", "markdown")),
            Map.entry("special", List.of("unique", "particular")),
            Map.entry("bonus", List.of("extra", "gift")),
            Map.entry("debt", List.of("balance", "obligation")),
            Map.entry("rates", List.of("terms", "prices")),
            Map.entry("lowest", List.of("best", "smallest")),
            Map.entry("instant", List.of("immediate", "quick")),
            Map.entry("approved", List.of("accepted", "confirmed")),
            Map.entry("amazing", List.of("remarkable", "great")),
            Map.entry("dear", List.of("hello", "hi")),
            Map.entry("friend", List.of("colleague", "reader")),
            Map.entry("email", List.of("message", "note")),
            Map.entry("mail", List.of("message", "post")),
            Map.entry("internet", List.of("online", "web")),
            Map.entry("website", List.of("site", "page")),
            Map.entry("million", List.of("lots", "plenty")),
            Map.entry("dollars", List.of("usd", "bucks")),
            Map.entry("marketing", List.of("promotion", "outreach")),
            Map.entry("online", List.of("web", "internet")),
            Map.entry("receive", List.of("get", "obtain")),
            Map.entry("removal", List.of("deletion", "exclusion")),
            Map.entry("call", List.of("phone", "ring")),
            Map.entry("please", List.of("kindly", "pls")),
            Map.entry("report", List.of("summary", "review")),
            Map.entry("software", List.of("program", "application")),
            Map.entry("list", List.of("roster", "directory")),
            Map.entry("thanks", List.of("cheers", "thx")),
            Map.entry("wrote", List.of("said", "posted")),
            Map.entry("linux", List.of("gnu", "unix")),
            Map.entry("perl", List.of("script", "code")));

    private TextEdits() {}

    /** The variants of {@code word} produced by one edit of {@code kind}; empty when the kind does not apply. */
    public static List<String> apply(Kind kind, String word) {
        List<String> out = new ArrayList<>();
        int n = word.length();
        switch (kind) {
            case LEET:
                for (int i = n > 2 ? 1 : 0; i < n; i++) {
                    Character r = LEET.get(Character.toLowerCase(word.charAt(i)));
                    if (r != null) {
                        out.add(word.substring(0, i) + r + word.substring(i + 1));
                        break;
                    }
                }
                break;
            case HOMOGLYPH:
                for (int i = 0; i < n; i++) {
                    Character r = HOMOGLYPHS.get(word.charAt(i));
                    if (r != null) {
                        out.add(word.substring(0, i) + r + word.substring(i + 1));
                        break;
                    }
                }
                break;
            case INSERT:
                if (n >= 2) {
                    out.add(word.substring(0, n / 2) + "." + word.substring(n / 2));
                }
                break;
            case DELETE:
                if (n >= 4) {
                    int at = n / 2;
                    for (int i = 1; i < n - 1; i++) {
                        if ("aeiouAEIOU".indexOf(word.charAt(i)) >= 0) {
                            at = i;
                            break;
                        }
                    }
                    out.add(word.substring(0, at) + word.substring(at + 1));
                }
                break;
            case WORD:
                List<String> p = PARAPHRASES.get(word.toLowerCase(Locale.ROOT));
                if (p != null) {
                    for (String s : p) {
                        out.add(matchCase(word, s));
                    }
                }
                break;
            default:
                throw new IllegalStateException("Unknown edit " + kind);
        }
        return out;
    }

    /** Whether the word-substitution table has an entry for {@code word}. */
    public static boolean hasParaphrase(String word) {
        return PARAPHRASES.containsKey(word.toLowerCase(Locale.ROOT));
    }

    private static String matchCase(String original, String replacement) {
        if (original.length() > 1 && original.equals(original.toUpperCase(Locale.ROOT))) {
            return replacement.toUpperCase(Locale.ROOT);
        }
        if (Character.isUpperCase(original.charAt(0))) {
            return Character.toUpperCase(replacement.charAt(0)) + replacement.substring(1);
        }
        return replacement;
    }

    /**
     * Splits a text into pieces that concatenate back to it: runs of letters and digits (words) and everything
     * between them. {@code wordIndices} receives the positions of the words among the pieces.
     */
    public static List<String> pieces(String text, List<Integer> wordIndices) {
        List<String> out = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int start = i;
            boolean word = Character.isLetterOrDigit(text.codePointAt(i));
            while (i < n && Character.isLetterOrDigit(text.codePointAt(i)) == word) {
                i += Character.charCount(text.codePointAt(i));
            }
            if (word) {
                wordIndices.add(out.size());
            }
            out.add(text.substring(start, i));
        }
        return out;
    }
}
