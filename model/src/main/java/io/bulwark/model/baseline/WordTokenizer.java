package io.bulwark.model.baseline;

import io.bulwark.model.encoding.TextNormalizer;
import io.bulwark.model.encoding.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The learner's tokenisation ({@link TextNormalizer} then {@link Tokenizer}) as strings, for naive Bayes: Unicode
 * NFKC, lower case, maximal runs of letters and digits are words (cut at {@code maxWordLength}), every other run of
 * non-space characters ({@code "!!!"}, {@code "$"}, {@code "://"}) is one symbol token (cut at
 * {@value #MAX_SYMBOL_RUN} characters).
 */
public final class WordTokenizer {
    /** Longest symbol token kept. */
    public static final int MAX_SYMBOL_RUN = Tokenizer.MAX_SYMBOL_RUN;

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
        if (text == null) {
            return new ArrayList<>();
        }
        List<String> tokens = new ArrayList<>();
        for (Tokenizer.Token t : Tokenizer.tokenize(TextNormalizer.normalize(text), maxTokens, maxWordLength)) {
            tokens.add(t.text());
        }
        return tokens;
    }
}
