package io.bulwark.serving.ab;

/**
 * McNemar's exact test and a one-sided confidence bound on the accuracy difference of two versions answering the
 * same examples.
 *
 * <p>Only discordant pairs carry information about the difference. Given m = b + c discordant pairs, the number c
 * the candidate won is Binomial(m, π), and the accuracy difference (candidate minus champion) is
 * {@code d = (c - b) / n = (m / n) (2π - 1)}. The exact one-sided McNemar p-value that the candidate is worse is
 * {@code P(X <= c | m, 1/2)}. Exact (Clopper-Pearson) one-sided bounds on π give the bounds on d, conditional on
 * the observed discordant share m / n. With margin 0 the upper bound is below 0 exactly when the McNemar p-value is
 * below 1 - confidence.
 */
public final class PairedTest {

    private PairedTest() {}

    /**
     * The statistics of one comparison.
     *
     * @param counts the 2x2 table
     * @param difference candidate accuracy minus champion accuracy
     * @param lower one-sided lower confidence bound of the difference
     * @param upper one-sided upper confidence bound of the difference
     * @param pWorse exact one-sided McNemar p-value of "the candidate is worse"
     */
    public record Result(PairedCounts counts, double difference, double lower, double upper, double pWorse) {

        /** The champion's accuracy on the examples (NaN without examples). */
        public double championAccuracy() {
            return counts.n() == 0 ? Double.NaN : (double) counts.championRight() / counts.n();
        }

        /** The candidate's accuracy on the examples (NaN without examples). */
        public double candidateAccuracy() {
            return counts.n() == 0 ? Double.NaN : (double) counts.candidateRight() / counts.n();
        }
    }

    /** Tests {@code counts} at one-sided {@code confidence} (e.g. 0.95). */
    public static Result test(PairedCounts counts, double confidence) {
        int n = counts.n();
        int b = counts.championOnly();
        int c = counts.candidateOnly();
        int m = b + c;
        if (n == 0) {
            return new Result(counts, Double.NaN, Double.NaN, Double.NaN, 1.0);
        }
        double alpha = 1 - confidence;
        double share = (double) m / n;
        double difference = (double) (c - b) / n;
        if (m == 0) {
            return new Result(counts, 0, 0, 0, 1.0);
        }
        double piLow = c == 0 ? 0 : solve(p -> upperTail(c, m, p), alpha, true);
        double piHigh = c == m ? 1 : solve(p -> lowerTail(c, m, p), alpha, false);
        return new Result(counts, difference, share * (2 * piLow - 1), share * (2 * piHigh - 1),
                lowerTail(c, m, 0.5));
    }

    /** {@code P(X <= k)} for X ~ Binomial(m, p). */
    public static double lowerTail(int k, int m, double p) {
        if (k >= m) {
            return 1;
        }
        if (k < 0) {
            return 0;
        }
        if (p <= 0) {
            return 1;
        }
        if (p >= 1) {
            return 0;
        }
        double logP = Math.log(p);
        double logQ = Math.log1p(-p);
        // log C(m, i) built up term by term; the terms are summed relative to the largest to stay in range.
        double[] logTerms = new double[k + 1];
        double logC = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= k; i++) {
            if (i > 0) {
                logC += Math.log(m - i + 1) - Math.log(i);
            }
            logTerms[i] = logC + i * logP + (m - i) * logQ;
            max = Math.max(max, logTerms[i]);
        }
        double sum = 0;
        for (double t : logTerms) {
            sum += Math.exp(t - max);
        }
        return Math.min(1, Math.exp(max + Math.log(sum)));
    }

    /** {@code P(X >= k)} for X ~ Binomial(m, p). */
    public static double upperTail(int k, int m, double p) {
        return k <= 0 ? 1 : 1 - lowerTail(k - 1, m, p);
    }

    /** The p in (0, 1) where the monotone {@code tail(p)} equals {@code alpha}, by bisection. */
    private static double solve(java.util.function.DoubleUnaryOperator tail, double alpha, boolean increasing) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            double v = tail.applyAsDouble(mid);
            if ((v < alpha) == increasing) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
