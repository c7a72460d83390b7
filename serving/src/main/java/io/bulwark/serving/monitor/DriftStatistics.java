package io.bulwark.serving.monitor;

/**
 * The two-sample statistics of the monitor: population stability index, Jensen–Shannon divergence with its
 * small-sample bias removed, and the two-proportion z statistic.
 */
public final class DriftStatistics {

    /** Share given to an empty bin in the PSI, so that a bin empty on one side stays finite. */
    static final double PSI_FLOOR = 1e-4;
    private static final double LN2 = Math.log(2);

    private DriftStatistics() {}

    /**
     * Population stability index of {@code current} against {@code reference} (counts per bin):
     * {@code sum (c - r) ln(c / r)} over bin shares, empty shares floored at {@value #PSI_FLOOR}. NaN when either
     * side has no counts.
     */
    public static double psi(long[] reference, long[] current) {
        long nr = sum(reference);
        long nc = sum(current);
        if (nr == 0 || nc == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = Math.max(PSI_FLOOR, (double) reference[i] / nr);
            double c = Math.max(PSI_FLOOR, (double) current[i] / nc);
            psi += (c - r) * Math.log(c / r);
        }
        return psi;
    }

    /**
     * Jensen–Shannon divergence in bits of two histograms, each weighted by its count ({@code sum_i pi_i
     * KL(P_i || M)} with {@code pi_i = N_i / N} and M the pooled histogram), minus its expectation when both are
     * samples of one distribution, {@code (k - 1) / (2 N ln 2)} bits for k non-empty bins (from the G-test:
     * {@code 2 N JS} in nats is chi-square with k - 1 degrees of freedom). Can be slightly negative.
     */
    public static double excessJensenShannon(long[] a, long[] b) {
        long na = sum(a);
        long nb = sum(b);
        if (na == 0 || nb == 0) {
            return Double.NaN;
        }
        double n = na + nb;
        double js = 0;
        int bins = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 0 && b[i] == 0) {
                continue;
            }
            bins++;
            double m = (a[i] + b[i]) / n;
            if (a[i] > 0) {
                js += (a[i] / n) * Math.log((a[i] / (double) na) / m);
            }
            if (b[i] > 0) {
                js += (b[i] / n) * Math.log((b[i] / (double) nb) / m);
            }
        }
        double bias = (bins - 1) / (2.0 * n);
        return (js - bias) / LN2;
    }

    /** The z statistic of {@code xb / nb} exceeding {@code xa / na} under the pooled proportion (0 if undefined). */
    public static double proportionZ(long xa, long na, long xb, long nb) {
        if (na == 0 || nb == 0) {
            return 0;
        }
        double pa = (double) xa / na;
        double pb = (double) xb / nb;
        double p = (double) (xa + xb) / (na + nb);
        double se = Math.sqrt(p * (1 - p) * (1.0 / na + 1.0 / nb));
        return se == 0 ? 0 : (pb - pa) / se;
    }

    /** The z statistic of a rise of a mean from {@code a} to {@code b}: difference over its standard error. */
    public static double meanZ(Moments a, Moments b) {
        if (a.n() < 2 || b.n() < 2) {
            return 0;
        }
        double se = Math.sqrt(a.variance() / a.n() + b.variance() / b.n());
        return se == 0 ? (b.mean() > a.mean() ? Double.POSITIVE_INFINITY : 0) : (b.mean() - a.mean()) / se;
    }

    /** Count, sum and sum of squares of a sample. */
    public record Moments(long n, double sum, double sumSquares) {

        /** The mean (NaN when empty). */
        public double mean() {
            return n == 0 ? Double.NaN : sum / n;
        }

        /** The unbiased variance (0 below two values). */
        public double variance() {
            return n < 2 ? 0 : Math.max(0, (sumSquares - sum * sum / n) / (n - 1));
        }
    }

    static long sum(long[] counts) {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }
}
