package io.bulwark.serving.monitor;

import java.util.ArrayDeque;

/** The confidence bins of one version's most recent answers on served texts (sliding). Not thread-safe. */
final class ScoreWindow {

    private final int capacity;
    private final ArrayDeque<Integer> bins = new ArrayDeque<>();
    private final long[] counts = new long[Calibration.EDGES.length];
    private long lastUsed;

    ScoreWindow(int capacity) {
        this.capacity = capacity;
    }

    /** Adds one answer's confidence. */
    void add(double confidence, long tick) {
        if (bins.size() == capacity) {
            counts[bins.removeFirst()]--;
        }
        int b = Calibration.bin(confidence);
        bins.addLast(b);
        counts[b]++;
        lastUsed = tick;
    }

    long[] counts() {
        return counts.clone();
    }

    int size() {
        return bins.size();
    }

    long lastUsed() {
        return lastUsed;
    }
}
