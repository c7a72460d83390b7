package io.bulwark.study;

/**
 * Detects catastrophic overfitting (Wong, Rice and Kolter, "Fast is better than free", ICLR 2020): robust accuracy on
 * a probe set suddenly falls far below its running maximum while clean accuracy holds. A collapse is flagged at the
 * first probe where robust accuracy is more than {@code drop} below the running maximum (once that maximum is at
 * least {@code minPeak}) and clean accuracy is no more than {@code cleanTolerance} below its value at the maximum.
 *
 * <p>Probes where the attack changes no prediction (robust accuracy equal to clean accuracy) are ignored: they come
 * from a model that predicts one class or from a vanishing perturbation, and a model that merely leaves such a state
 * is not overfitting. A probe whose clean accuracy is below {@code minClean} cannot be a peak either: early in a
 * stream a model that barely separates the classes can look "robust" only because the attack has little to flip,
 * and losing that as it learns is not a collapse.
 */
public final class CollapseDetector {

    /** The first collapse seen. */
    public record Collapse(int batch, long examples, double peakRobust, int peakBatch, double robust, double clean) {}

    private final double drop;
    private final double cleanTolerance;
    private final double minPeak;
    private final double minClean;
    private double peakRobust = Double.NEGATIVE_INFINITY;
    private double cleanAtPeak;
    private int peakBatch = -1;
    private Collapse collapse;

    /** A detector with the given thresholds (fractions, e.g. 0.2 for 20 points) and no clean-accuracy floor. */
    public CollapseDetector(double drop, double cleanTolerance, double minPeak) {
        this(drop, cleanTolerance, minPeak, 0.0);
    }

    /**
     * A detector with the given thresholds (fractions); a probe counts as a peak only if its clean accuracy is at
     * least {@code minClean}.
     */
    public CollapseDetector(double drop, double cleanTolerance, double minPeak, double minClean) {
        this.drop = drop;
        this.cleanTolerance = cleanTolerance;
        this.minPeak = minPeak;
        this.minClean = minClean;
    }

    /**
     * Records a probe; returns true when it is the first collapse.
     *
     * @param batch batches trained so far
     * @param examples examples trained so far
     */
    public boolean observe(int batch, long examples, double clean, double robust) {
        if (!informative(clean, robust)) {
            return false;
        }
        if (collapse == null && peakRobust >= minPeak && robust < peakRobust - drop
                && clean >= cleanAtPeak - cleanTolerance) {
            collapse = new Collapse(batch, examples, peakRobust, peakBatch, robust, clean);
            return true;
        }
        if (robust > peakRobust && clean >= minClean) {
            peakRobust = robust;
            cleanAtPeak = clean;
            peakBatch = batch;
        }
        return false;
    }

    /** Whether a probe says anything about robustness: both numbers known and the attack flipped something. */
    public static boolean informative(double clean, double robust) {
        return !Double.isNaN(clean) && !Double.isNaN(robust) && robust < clean;
    }

    /** The first collapse, or null. */
    public Collapse collapse() {
        return collapse;
    }

    /** The running maximum of robust accuracy (NaN before any probe). */
    public double peakRobust() {
        return peakBatch < 0 ? Double.NaN : peakRobust;
    }
}
