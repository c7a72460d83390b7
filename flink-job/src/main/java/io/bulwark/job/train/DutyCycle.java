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

    private final double fraction;
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

    /** Nanoseconds spent in learner calls so far. */
    long heldNanos() {
        return heldNanos;
    }

    /** Nanoseconds spent pausing so far. */
    long pausedNanos() {
        return pausedNanos;
    }

    private void pause(long held) {
        if (fraction >= 1) {
            return;
        }
        long nanos = (long) (held * (1 - fraction) / fraction);
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            pausedNanos += nanos;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Evaluation interrupted");
        }
    }
}
