package io.bulwark.model.baseline;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into tokens the way the learner's encoder does: Unicode NFKC, lower case, maximal runs of letters and
 * digits are words (cut at {@code maxWordLength}), every other run of non-space characters ({@code "!!!"},
 * {@code "$"}, {@code "://"}) is one symbol token (cut at {@value #MAX_SYMBOL_RUN} characters).
 */
public final class WordTokenizer {
    /** Longest symbol token kept. */
    public static final int MAX_SYMBOL_RUN = 4;

    private final int maxWordLength;
    private final int maxTokens;

    /** Creates a tokenizer that cuts words at {@code maxWordLength} and stops after {@code maxTokens} tokens. */
    public WordTokenizer(int maxWordLength, int maxTokens) {
        if (maxWordLength < 1) {
            throw new IllegalArgumentException("maxWordLength must be >= 1, got " + maxWordLength);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        this.maxWordLength = maxWordLength;
        this.maxTokens = maxTokens;
    }

    /** A tokenizer that cuts words at 40 characters and keeps every token. */
    public WordTokenizer() {
        this(40, Integer.MAX_VALUE);
    }

    /** The tokens of {@code text}, in order; empty for null or blank text. */
    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        if (text == null) {
            return tokens;
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        int n = s.length();
        int i = 0;
        while (i < n && tokens.size() < maxTokens) {
            int cp = s.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            boolean word = Character.isLetterOrDigit(cp);
            int start = i;
            while (i < n) {
                int c = s.codePointAt(i);
                if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
                        || Character.isLetterOrDigit(c) != word) {
                    break;
                }
                i += Character.charCount(c);
            }
            String token = s.substring(start, i);
            int max = word ? maxWordLength : MAX_SYMBOL_RUN;
            if (token.codePointCount(0, token.length()) > max) {
                token = token.substring(0, token.offsetByCodePoints(0, max));
            }
            tokens.add(token);
        }
        return tokens;
    }
}
