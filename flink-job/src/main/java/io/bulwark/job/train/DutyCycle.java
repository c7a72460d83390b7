package io.bulwark.job.train;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs learner calls under {@link DjlLock} and pauses after each one so that, over time, they take at most a given
 * fraction of wall-clock time ({@code eval.duty-cycle}). A call that held the lock for t pauses for
 * {@code t (1 - f) / f} afterwards; with f = 1 it does not pause.
 *
 * <p>While learners of one JVM share one lock, every moment an evaluation holds it is a moment training cannot; the
 * duty cycle bounds that share. Pauses end early, with a {@link CancellationException}, when the thread is
 * interrupted.
 */
final class DutyCycle {

    private static final long SLICE_NANOS = 50_000_000L;

    private volatile double fraction;
    private long heldNanos;
    private long pausedNanos;

    DutyCycle(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("Duty cycle must be in (0, 1], got " + fraction);
        }
        this.fraction = fraction;
    }

    /** Runs {@code action} under the learner lock, then pauses for the duty cycle. */
    <T> T locked(Supplier<T> action) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("Evaluation interrupted");
        }
        long[] held = new long[1];
        T out = DjlLock.locked(() -> {
            long start = System.nanoTime();
            try {
                return action.get();
            } finally {
                held[0] = System.nanoTime() - start;
            }
        });
        heldNanos += held[0];
        pause(held[0]);
        return out;
    }

    /** Stops pausing from now on (nothing trains any more, e.g. at the end of a bounded input). */
    void lift() {
        fraction = 1;
    }

    /** Nanoseconds spent in learner calls so far. */
    long heldNanos() {
        return heldNanos;
    }

    /** Nanoseconds spent pausing so far. */
    long pausedNanos() {
        return pausedNanos;
    }

    private void pause(long held) {
        double f = fraction;
        if (f >= 1) {
            return;
        }
        long nanos = (long) (held * (1 - f) / f);
        long start = System.nanoTime();
        try {
            // In slices, so that lift() ends a long pause early.
            long left = nanos;
            while (left > 0 && fraction < 1) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, SLICE_NANOS));
                left = nanos - (System.nanoTime() - start);
            }
            pausedNanos += System.nanoTime() - start;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Evaluation interrupted");
        }
    }
}
