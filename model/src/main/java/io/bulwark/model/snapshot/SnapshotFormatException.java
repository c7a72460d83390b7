package io.bulwark.model.snapshot;

/** A snapshot, payload or checkpoint is corrupt, truncated, of an unknown format version, or does not fit the model. */
public final class SnapshotFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An exception with a message saying what is wrong. */
    public SnapshotFormatException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public SnapshotFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
