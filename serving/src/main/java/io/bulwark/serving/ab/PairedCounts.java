package io.bulwark.serving.ab;

/**
 * Two versions' right and wrong answers on the same examples, as a 2x2 table.
 *
 * @param n examples both versions answered
 * @param championRight examples the champion got right
 * @param candidateRight examples the candidate got right
 * @param championOnly discordant pairs the champion got right and the candidate wrong (McNemar's b)
 * @param candidateOnly discordant pairs the candidate got right and the champion wrong (McNemar's c)
 */
public record PairedCounts(int n, int championRight, int candidateRight, int championOnly, int candidateOnly) {

    /** Validates the table: the discordant counts must fit in it. */
    public PairedCounts {
        if (n < 0 || championOnly < 0 || candidateOnly < 0 || championOnly + candidateOnly > n
                || championRight - championOnly != candidateRight - candidateOnly
                || championRight > n || candidateRight > n) {
            throw new IllegalArgumentException("inconsistent paired counts: n=" + n + " championRight="
                    + championRight + " candidateRight=" + candidateRight + " b=" + championOnly + " c="
                    + candidateOnly);
        }
    }

    /** The table with {@code bothRight} concordant right answers and the discordant counts b and c. */
    public static PairedCounts of(int n, int bothRight, int b, int c) {
        return new PairedCounts(n, bothRight + b, bothRight + c, b, c);
    }

    /** Adds one pair. */
    public PairedCounts plus(boolean championOk, boolean candidateOk) {
        return new PairedCounts(n + 1, championRight + (championOk ? 1 : 0), candidateRight + (candidateOk ? 1 : 0),
                championOnly + (championOk && !candidateOk ? 1 : 0), candidateOnly + (!championOk && candidateOk ? 1 : 0));
    }
}
