package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * HotFlip's first-order word substitution (Ebrahimi et al. 2018) inside adversarial training, over the batch's own
 * words and from a gradient the step already has: for each labeled example, the (position, word) pair with the
 * largest first-order loss increase {@code g_i · (e(w) - x_i)}, where g_i is the loss gradient at position i's word
 * vector x_i and e(w) ranges over the batch's distinct words. All on the device, no host read.
 */
final class DiscreteFlips {

    private static final float FORBIDDEN = -1e9f;

    private DiscreteFlips() {}

    /**
     * The word index [B, L] with at most one position per example replaced by the best substitute: only on rows of
     * positive weight, only at real positions, never by padding or by the word already there, and only when the
     * first-order gain is positive.
     *
     * @param wordIndex the batch's word index, [B, L] int64 into its W distinct words (0 = padding)
     * @param mask real-token mask, [B, L]
     * @param rowWeights example weights, [B] (0 for unlabeled rows)
     * @param gradient loss gradient at each position's word vector, [B, L, D]
     * @param positionVectors each position's word vector, [B, L, D]
     * @param words the distinct words' vectors, [W, D]
     */
    static NDArray substitute(NDArray wordIndex, NDArray mask, NDArray rowWeights, NDArray gradient,
                              NDArray positionVectors, NDArray words) {
        long b = gradient.getShape().get(0);
        long l = gradient.getShape().get(1);
        long w = words.getShape().get(0);
        NDArray gain = gradient.matMul(words.transpose()).sub(gradient.mul(positionVectors).sum(new int[] {2}, true));
        NDArray wordIds = wordIndex.getManager().arange(0, (int) w).toType(DataType.INT64, false);
        NDArray notPadding = wordIds.gt(0).toType(DataType.FLOAT32, false).reshape(1, 1, w);
        NDArray other = wordIndex.expandDims(2).neq(wordIds.reshape(1, 1, w)).toType(DataType.FLOAT32, false);
        NDArray allowed = mask.expandDims(2).mul(notPadding).mul(other);
        NDArray scored = gain.mul(allowed).add(allowed.sub(1f).mul(-FORBIDDEN));
        NDArray flat = scored.reshape(b, l * w);
        NDArray best = flat.argMax(1).toType(DataType.FLOAT32, false);
        NDArray bestGain = flat.max(new int[] {1});
        NDArray position = best.div((float) w).floor();
        NDArray word = best.sub(position.mul((float) w));
        NDArray apply = bestGain.gt(0f).toType(DataType.FLOAT32, false)
                .mul(rowWeights.gt(0f).toType(DataType.FLOAT32, false));
        NDArray positions = wordIndex.getManager().arange(0, (int) l).toType(DataType.FLOAT32, false).reshape(1, l);
        NDArray at = positions.eq(position.expandDims(1)).toType(DataType.FLOAT32, false).mul(apply.expandDims(1));
        return wordIndex.toType(DataType.FLOAT32, false).mul(at.neg().add(1f)).add(word.expandDims(1).mul(at))
                .toType(DataType.INT64, false);
    }
}
