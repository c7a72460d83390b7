package io.bulwark.kafka.serde;

/** A record's bytes could not be turned into the expected Avro class; {@link #reason()} says why. */
public class RecordDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why decoding failed, which tells a caller whether to dead-letter the record or retry. */
    public enum Reason {
        /** Null, too short, wrong magic byte or corrupt Avro: the record itself is bad. */
        UNDECODABLE,
        /** The schema id in the record is not known to the registry. */
        UNKNOWN_SCHEMA,
        /** The writer schema cannot be resolved to the reader's class. */
        INCOMPATIBLE_SCHEMA,
        /** The registry could not be reached or failed: transient, retry or fail rather than dead-letter. */
        REGISTRY_UNAVAILABLE
    }

    private final Reason reason;
    private final int schemaId;

    /** Creates an exception for a reason, with the schema id (or -1 when unknown) and a message. */
    public RecordDecodeException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    /** Returns why decoding failed. */
    public Reason reason() {
        return reason;
    }

    /** Returns the schema id read from the record, or -1 when none could be read. */
    public int schemaId() {
        return schemaId;
    }

    /** Returns true when the failure is transient (the registry), so the record must not be dead-lettered. */
    public boolean isTransient() {
        return reason == Reason.REGISTRY_UNAVAILABLE;
    }
}
