package io.bulwark.model.encoding;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits normalised text into tokens: maximal runs of letters and digits are words; every other run of
 * non-space characters ("!!!", "$", "://") is one symbol token, cut to {@value #MAX_SYMBOL_RUN} characters.
 */
public final class Tokenizer {

    /** Longest symbol token kept. */
    public static final int MAX_SYMBOL_RUN = 4;

    /** Longest word token kept (longer runs are cut; their n-grams still see the kept prefix). */
    public static final int MAX_WORD_LENGTH = 40;

    private Tokenizer() {}

    /** A token and whether it is a word (letters/digits) rather than a symbol run. */
    public record Token(String text, boolean word) {}

    /** Tokenises normalised text, stopping after {@code limit} tokens. */
    public static List<Token> tokenize(String normalized, int limit) {
        return tokenize(normalized, limit, MAX_WORD_LENGTH);
    }

    /** Tokenises normalised text, cutting words at {@code maxWordLength}, stopping after {@code limit} tokens. */
    public static List<Token> tokenize(String normalized, int limit, int maxWordLength) {
        List<Token> out = new ArrayList<>();
        int n = normalized.length();
        int i = 0;
        while (i < n && out.size() < limit) {
            int cp = normalized.codePointAt(i);
            if (Character.isWhitespace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            boolean word = Character.isLetterOrDigit(cp);
            int start = i;
            while (i < n) {
                int c = normalized.codePointAt(i);
                if (Character.isWhitespace(c) || Character.isLetterOrDigit(c) != word) {
                    break;
                }
                i += Character.charCount(c);
            }
            String t = normalized.substring(start, i);
            int max = word ? maxWordLength : MAX_SYMBOL_RUN;
            if (t.codePointCount(0, t.length()) > max) {
                t = t.substring(0, t.offsetByCodePoints(0, max));
            }
            out.add(new Token(t, word));
        }
        return out;
    }
}
