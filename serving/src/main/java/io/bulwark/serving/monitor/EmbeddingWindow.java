package io.bulwark.serving.monitor;

import java.util.ArrayDeque;

/**
 * The pooled embeddings of a window of served texts with their running sum and sum of squared norms, from which the
 * centroid and the spread ({@code trace} of the covariance) follow in O(dimension). Keeps each text (cut at
 * {@link TextProfile#MAX_CHARS}) so that a window can be embedded again under another version. A bounded window drops
 * its oldest text when full. Not thread-safe.
 */
final class EmbeddingWindow {

    /** One embedded text. */
    record Entry(String text, float[] vector) {}

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private double[] sum;
    private double squares;
    private int removals;

    EmbeddingWindow(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a text with its pooled vector; when the window is full the oldest leaves first. */
    void add(String text, float[] vector) {
        if (entries.size() == capacity) {
            apply(entries.removeFirst().vector(), -1);
            removals++;
        }
        entries.addLast(new Entry(text, vector));
        apply(vector, 1);
        if (removals >= capacity) {
            // Subtractions leave rounding residue: once per window's worth of slides the sums are taken afresh.
            removals = 0;
            sum = null;
            for (Entry e : entries) {
                apply(e.vector(), 1);
            }
        }
    }

    private void apply(float[] v, int sign) {
        if (sum == null || sum.length != v.length) {
            sum = new double[v.length];
            squares = 0;
        }
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            sum[i] += sign * v[i];
            norm += (double) v[i] * v[i];
        }
        squares += sign * norm;
    }

    /** Texts in the window. */
    int size() {
        return entries.size();
    }

    /** Whether the window holds {@code capacity} texts. */
    boolean full() {
        return entries.size() == capacity;
    }

    /** Removes and returns every entry, oldest first. */
    java.util.List<Entry> drain() {
        java.util.List<Entry> out = new java.util.ArrayList<>(entries);
        entries.clear();
        sum = null;
        squares = 0;
        removals = 0;
        return out;
    }

    /** The centroid (mean vector), or null when empty. */
    double[] centroid() {
        if (entries.isEmpty()) {
            return null;
        }
        double[] c = sum.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] /= entries.size();
        }
        return c;
    }

    /**
     * The trace of the sample covariance, {@code (sum |x|^2 - |sum x|^2 / n) / (n - 1)}: the expected squared distance
     * of a text's vector from the centroid. NaN below two texts.
     */
    double spread() {
        int n = entries.size();
        if (n < 2) {
            return Double.NaN;
        }
        double s2 = 0;
        for (double s : sum) {
            s2 += s * s;
        }
        return Math.max(0, (squares - s2 / n) / (n - 1));
    }
}
