package io.bulwark.serving.error;

/**
 * A request the serving domain (models, versions, arms, the gate) cannot carry out, with the reason in the
 * message. Domain code knows nothing of HTTP; the server maps each {@link Reason} to a status code.
 */
public final class ServingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request cannot be carried out. */
    public enum Reason {
        /** The request itself is wrong (a bad weight, an arm that cannot be 'none'). */
        INVALID,
        /** The model or version it names does not exist. */
        NOT_FOUND,
        /** It contradicts the current state (nothing to promote, the gate refuses). */
        CONFLICT,
        /** Not possible yet (no version loaded); retrying later may succeed. */
        UNAVAILABLE
    }

    private final Reason reason;
    private final Integer retryAfterSeconds;

    private ServingException(Reason reason, String message) {
        this(reason, message, null);
    }

    private ServingException(Reason reason, String message, Integer retryAfterSeconds) {
        super(message);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds after which a retry may succeed, for an {@link Reason#UNAVAILABLE} refusal that knows; else null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Why the request failed. */
    public Reason reason() {
        return reason;
    }

    /** The request itself is wrong. */
    public static ServingException invalid(String message) {
        return new ServingException(Reason.INVALID, message);
    }

    /** The model or version does not exist. */
    public static ServingException notFound(String message) {
        return new ServingException(Reason.NOT_FOUND, message);
    }

    /** The request contradicts the current state. */
    public static ServingException conflict(String message) {
        return new ServingException(Reason.CONFLICT, message);
    }

    /** Not possible yet. */
    public static ServingException unavailable(String message) {
        return new ServingException(Reason.UNAVAILABLE, message);
    }

    /** Not possible now because the server is overloaded; retrying after {@code retryAfterSeconds} may succeed. */
    public static ServingException overloaded(String message, int retryAfterSeconds) {
        return new ServingException(Reason.UNAVAILABLE, message, retryAfterSeconds);
    }
}
