package io.bulwark.serving.model;

/**
 * How long and how many requests may wait for a loaded version: at most {@code maxQueued} requests wait for its
 * inference thread (more are refused with 503 and a {@code Retry-After} of {@code retryAfterSeconds}), and a request
 * not answered within {@code timeoutMillis} of entering the model is answered 503 with the same hint.
 *
 * @param maxQueued requests that may wait per version before new ones are refused
 * @param timeoutMillis longest time a request waits for its answer (queue plus forward pass), milliseconds
 * @param retryAfterSeconds the {@code Retry-After} value sent with a refusal or a time-out
 */
public record InferenceLimits(int maxQueued, long timeoutMillis, int retryAfterSeconds) {

    /** 1,024 waiting requests, a 10 s time-out, retry after 1 s. */
    public static final InferenceLimits DEFAULTS = new InferenceLimits(1024, 10_000, 1);

    /** Validates the limits. */
    public InferenceLimits {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be >= 1, got " + maxQueued);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("the request time-out must be >= 1 ms, got " + timeoutMillis);
        }
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0, got " + retryAfterSeconds);
        }
    }

    /** The refusal of a request that found {@code maxQueued} requests waiting for {@code name}. */
    RuntimeException queueFull(String name) {
        return io.bulwark.serving.error.ServingException.overloaded(name + " has " + maxQueued
                + " requests waiting for its inference thread; retry later", retryAfterSeconds);
    }

    /** The answer to a request that waited {@code timeoutMillis} for {@code name}. */
    RuntimeException timedOut(String name, String where) {
        return io.bulwark.serving.error.ServingException.overloaded(name + " did not answer within the request"
                + " time-out of " + timeoutMillis + " ms (" + where + "); retry later", retryAfterSeconds);
    }
}
