package io.bulwark.model.encoding;

/**
 * A batch of hashed texts, row-major and padded with 0.
 *
 * @param size texts in the batch (B)
 * @param length padded sequence length (L), the longest text's token count (at least 1)
 * @param ngramsPerToken padded n-grams per token (G), 0 when n-grams are off
 * @param tokens word buckets, [B, L]
 * @param ngrams n-gram buckets, [B, L, G], or null when n-grams are off
 * @param mask 1 for a real token, 0 for padding, [B, L]
 * @param lengths real tokens per text
 */
public record EncodedBatch(
        int size, int length, int ngramsPerToken, long[] tokens, long[] ngrams, float[] mask, int[] lengths) {}
