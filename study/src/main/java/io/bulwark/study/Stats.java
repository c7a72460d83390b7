package io.bulwark.study;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Mean and sample standard deviation over seeds, ignoring NaN values.
 *
 * @param mean the mean (NaN when there is no value)
 * @param std the sample standard deviation (0 for one value, NaN for none)
 * @param n number of values
 */
public record Stats(double mean, double std, int n) {

    /** The statistics of the values {@code f} takes on {@code items}. */
    public static <T> Stats of(List<T> items, ToDoubleFunction<T> f) {
        double s = 0;
        int n = 0;
        for (T t : items) {
            double v = f.applyAsDouble(t);
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        if (n == 0) {
            return new Stats(Double.NaN, Double.NaN, 0);
        }
        double mean = s / n;
        double ss = 0;
        for (T t : items) {
            double v = f.applyAsDouble(t);
            if (!Double.isNaN(v)) {
                ss += (v - mean) * (v - mean);
            }
        }
        return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0, n);
    }

    /** As a percentage with one decimal, {@code 93.1 ± 0.4}; an en dash when there is no value. */
    public String percent() {
        if (n == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean, 100 * std);
    }

    /** With {@code decimals} decimals, {@code 12.3 ± 0.5}. */
    public String fixed(int decimals) {
        if (n == 0) {
            return "–";
        }
        String f = "%." + decimals + "f ± %." + decimals + "f";
        return String.format(Locale.ROOT, f, mean, std);
    }
}
