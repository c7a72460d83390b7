package io.bulwark.model.encoding;

import java.util.List;

/**
 * Turns texts into hashed feature ids with no vocabulary: normalise ({@link Normalization}), tokenise, hash each token (MurmurHash3, seed
 * {@link #WORD_SEED}) into buckets 1..buckets-1 (0 is padding), and optionally hash the character n-grams of each
 * word (with boundary marks, {@code "<v1agra>"}: {@code "<v1", "v1a", ...}; seed {@link #NGRAM_SEED}) into the same
 * table.
 *
 * <p>A batch is padded to its longest text (at most {@code maxLength} tokens) with a 0/1 mask; the network folds a
 * word's n-gram embeddings into the word's own vector, so n-grams add no sequence positions.
 */
public final class HashingEncoder {

    /** Hash seed of word tokens. */
    public static final int WORD_SEED = 0x2f0b3c5d;

    /** Hash seed of character n-grams (distinct from words so "<ab>" and "ab" do not collide by construction). */
    public static final int NGRAM_SEED = 0x61c88647;

    private final int buckets;
    private final int maxLength;
    private final int ngram;
    private final int maxNgrams;
    private final Normalization normalization;

    /**
     * Creates an encoder.
     *
     * @param buckets hash buckets including the padding bucket 0
     * @param maxLength maximum tokens per text
     * @param ngram character n-gram length, 0 = off
     * @param maxNgrams maximum n-grams per word
     */
    public HashingEncoder(int buckets, int maxLength, int ngram, int maxNgrams) {
        this(buckets, maxLength, ngram, maxNgrams, Normalization.BASIC);
    }

    /**
     * Creates an encoder with the given text normalisation.
     *
     * @param buckets hash buckets including the padding bucket 0
     * @param maxLength maximum tokens per text
     * @param ngram character n-gram length, 0 = off
     * @param maxNgrams maximum n-grams per word
     * @param normalization how texts are normalised before tokenisation
     */
    public HashingEncoder(int buckets, int maxLength, int ngram, int maxNgrams, Normalization normalization) {
        if (buckets < 2 || maxLength < 1 || ngram < 0 || maxNgrams < 1) {
            throw new IllegalArgumentException("Invalid encoder settings: buckets=" + buckets + " maxLength=" + maxLength
                    + " ngram=" + ngram + " maxNgrams=" + maxNgrams);
        }
        this.buckets = buckets;
        this.maxLength = maxLength;
        this.ngram = ngram;
        this.maxNgrams = maxNgrams;
        this.normalization = java.util.Objects.requireNonNull(normalization, "normalization");
    }

    /** The normalisation applied before tokenisation. */
    public Normalization normalization() {
        return normalization;
    }

    /** The tokens of one text as the encoder sees them (normalised, at most maxLength). */
    public List<Tokenizer.Token> tokens(String text) {
        return Tokenizer.tokenize(normalization.apply(text), maxLength);
    }

    /** The bucket of a word token. */
    public int wordBucket(String token) {
        return bucket(MurmurHash3.hash32(token, WORD_SEED));
    }

    /** The bucket of a character n-gram. */
    public int ngramBucket(String gram) {
        return bucket(MurmurHash3.hash32(gram, NGRAM_SEED));
    }

    private int bucket(int hash) {
        return 1 + Integer.remainderUnsigned(hash, buckets - 1);
    }

    /** The token buckets of one text, in order, at most maxLength. */
    public int[] tokenIds(String text) {
        List<Tokenizer.Token> tokens = Tokenizer.tokenize(normalization.apply(text), maxLength);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = wordBucket(tokens.get(i).text());
        }
        return ids;
    }

    /** The character n-gram buckets of one word token (empty for symbol tokens or when n-grams are off). */
    public int[] ngramIds(Tokenizer.Token token) {
        if (ngram == 0 || !token.word()) {
            return new int[0];
        }
        int[] cps = ("<" + token.text() + ">").codePoints().toArray();
        int count = Math.max(0, cps.length - ngram + 1);
        if (count == 0) {
            return new int[0];
        }
        int[] ids = new int[Math.min(count, maxNgrams)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ngramBucket(new String(cps, i, ngram));
        }
        return ids;
    }

    /** Encodes a batch of texts, padded to the longest one. */
    public EncodedBatch encode(List<String> texts) {
        int b = texts.size();
        int[][] tok = new int[b][];
        int[][][] grams = new int[b][][];
        int len = 1;
        int g = ngram == 0 ? 0 : 1;
        for (int i = 0; i < b; i++) {
            List<Tokenizer.Token> tokens = Tokenizer.tokenize(normalization.apply(texts.get(i)), maxLength);
            tok[i] = new int[tokens.size()];
            grams[i] = new int[tokens.size()][];
            for (int j = 0; j < tokens.size(); j++) {
                tok[i][j] = wordBucket(tokens.get(j).text());
                grams[i][j] = ngramIds(tokens.get(j));
                g = Math.max(g, grams[i][j].length);
            }
            len = Math.max(len, tokens.size());
        }
        long[] tokens = new long[b * len];
        float[] mask = new float[b * len];
        long[] ngrams = ngram == 0 ? null : new long[b * len * g];
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = tok[i].length;
            for (int j = 0; j < tok[i].length; j++) {
                tokens[i * len + j] = tok[i][j];
                mask[i * len + j] = 1f;
                if (ngrams != null) {
                    int[] gr = grams[i][j];
                    for (int k = 0; k < gr.length; k++) {
                        ngrams[(i * len + j) * g + k] = gr[k];
                    }
                }
            }
        }
        return new EncodedBatch(b, len, g, tokens, ngrams, mask, lengths);
    }
}
