package io.bulwark.model.continual;

import io.bulwark.model.baseline.WordTokenizer;
import io.bulwark.model.encoding.MurmurHash3;
import java.util.Arrays;
import java.util.List;

/**
 * Hashed bag-of-words features of a whole text for the wide model and naive Bayes: word unigrams (with their counts,
 * for naive Bayes) and the distinct unigrams and bigrams, L2-normalised binary indicators, for the wide model.
 *
 * <p>Tokens are those of {@link WordTokenizer} (the learner's and the naive Bayes baseline's tokenisation), hashed
 * with MurmurHash3 into {@code buckets} slots; unlike the network's encoder the text is not truncated.
 */
final class TextFeatures {
    private static final int UNIGRAM_SEED = 0x1B873593;
    private static final int BIGRAM_SEED = 0x5BD1E995;

    /** Unigram slots, one entry per token occurrence. */
    final int[] unigrams;
    /** Distinct unigram and bigram slots, sorted. */
    final int[] wide;
    /** The value of every wide feature: 1 / sqrt(number of distinct features). */
    final float wideValue;

    private TextFeatures(int[] unigrams, int[] wide) {
        this.unigrams = unigrams;
        this.wide = wide;
        this.wideValue = wide.length == 0 ? 0f : (float) (1.0 / Math.sqrt(wide.length));
    }

    /**
     * These features with the distinct wide slots {@code added} (none of them already present) as if words had been
     * added to the text: the unigram counts are unchanged, the wide features are renormalised.
     */
    TextFeatures withAdded(int[] added) {
        int[] all = Arrays.copyOf(wide, wide.length + added.length);
        System.arraycopy(added, 0, all, wide.length, added.length);
        Arrays.sort(all);
        return new TextFeatures(unigrams, all);
    }

    /** The unigram slot of {@code token} over {@code buckets} slots. */
    static int unigramSlot(String token, int buckets) {
        return Math.floorMod(MurmurHash3.hash32(token, UNIGRAM_SEED), buckets);
    }

    /** The features of {@code text} over {@code buckets} slots. */
    static TextFeatures of(WordTokenizer tokenizer, String text, int buckets) {
        List<String> tokens = tokenizer.tokenize(text);
        int n = tokens.size();
        int[] uni = new int[n];
        int[] all = new int[n + Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) {
            uni[i] = unigramSlot(tokens.get(i), buckets);
            all[i] = uni[i];
            if (i > 0) {
                all[n + i - 1] = Math.floorMod(MurmurHash3.hash32(tokens.get(i - 1) + ' ' + tokens.get(i),
                        BIGRAM_SEED), buckets);
            }
        }
        Arrays.sort(all);
        int distinct = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                all[distinct++] = all[i];
            }
        }
        return new TextFeatures(uni, Arrays.copyOf(all, distinct));
    }
}
