package io.bulwark.serving.monitor;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Aggregates of a window of served texts: the word-bucket histogram, the length and character-class histograms, how
 * many texts carry each obfuscation indicator, and the moments of the normalisation change. A bounded window drops
 * its oldest text when full (sliding); an unbounded one only grows. Not thread-safe.
 */
final class InputWindow {

    private final int capacity;
    private final ArrayDeque<TextProfile> texts = new ArrayDeque<>();
    private final long[] buckets = new long[TextProfile.BUCKETS];
    private final long[] lengths = new long[TextProfile.LENGTH_BINS];
    private final long[] classes = new long[TextProfile.CharClass.values().length];
    private final long[] indicators = new long[TextProfile.Indicator.values().length];
    private long obfuscated;
    private double changeSum;
    private double changeSquares;

    /** A window of at most {@code capacity} texts. */
    InputWindow(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a text; when the window is full the oldest leaves first. */
    void add(TextProfile p) {
        if (texts.size() == capacity) {
            apply(texts.removeFirst(), -1);
        }
        texts.addLast(p);
        apply(p, 1);
    }

    /** Whether the window holds {@code capacity} texts. */
    boolean full() {
        return texts.size() == capacity;
    }

    /** Texts in the window. */
    int size() {
        return texts.size();
    }

    /** Empties the window. */
    void clear() {
        while (!texts.isEmpty()) {
            apply(texts.removeFirst(), -1);
        }
    }

    /** Moves every text of {@code other} into this window (oldest first), emptying {@code other}. */
    void takeAll(InputWindow other) {
        while (!other.texts.isEmpty()) {
            TextProfile p = other.texts.removeFirst();
            other.apply(p, -1);
            add(p);
        }
    }

    private void apply(TextProfile p, int sign) {
        for (int b : p.buckets()) {
            buckets[b] += sign;
        }
        lengths[p.lengthBin()] += sign;
        int[] c = p.charClasses();
        for (int i = 0; i < c.length; i++) {
            classes[i] += sign * (long) c[i];
        }
        for (TextProfile.Indicator i : TextProfile.Indicator.values()) {
            if (p.has(i)) {
                indicators[i.ordinal()] += sign;
            }
        }
        if (p.obfuscated()) {
            obfuscated += sign;
        }
        changeSum += sign * p.normalizationChange();
        changeSquares += sign * p.normalizationChange() * p.normalizationChange();
    }

    long[] buckets() {
        return buckets;
    }

    long[] lengths() {
        return lengths;
    }

    long[] classes() {
        return classes;
    }

    /** Texts carrying any indicator. */
    long obfuscated() {
        return obfuscated;
    }

    /** Texts carrying indicator {@code i}. */
    long count(TextProfile.Indicator i) {
        return indicators[i.ordinal()];
    }

    /** The normalisation change of the window's texts. */
    DriftStatistics.Moments change() {
        // Subtractions leave rounding residue: clamp the sums of an empty window to zero.
        return texts.isEmpty() ? new DriftStatistics.Moments(0, 0, 0)
                : new DriftStatistics.Moments(texts.size(), changeSum, changeSquares);
    }

    /** Share of texts with any indicator, and per indicator, by JSON key (null when empty). */
    Map<String, Object> shares() {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = texts.size();
        m.put("any", n == 0 ? null : (double) obfuscated / n);
        for (TextProfile.Indicator i : TextProfile.Indicator.values()) {
            m.put(i.tag(), n == 0 ? null : (double) count(i) / n);
        }
        return m;
    }
}
