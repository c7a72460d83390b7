package io.bulwark.kafka.serde;

/** A record could not be encoded, because its schema was rejected or the registry was unreachable. */
public class RecordEncodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why encoding failed. */
    public enum Reason {
        /** The registry refused the writer schema (incompatible, invalid, or not registered with auto-register off). */
        SCHEMA_REJECTED,
        /** The registry could not be reached or failed: transient. */
        REGISTRY_UNAVAILABLE,
        /** The record could not be written with its schema (e.g. a required field is null). */
        INVALID_RECORD
    }

    private final Reason reason;

    /** Creates an exception for a reason and a message. */
    public RecordEncodeException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** Returns why encoding failed. */
    public Reason reason() {
        return reason;
    }

    /** Returns true when the failure is transient and a retry may succeed. */
    public boolean isTransient() {
        return reason == Reason.REGISTRY_UNAVAILABLE;
    }
}
