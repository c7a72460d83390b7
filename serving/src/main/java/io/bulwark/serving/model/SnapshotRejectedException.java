package io.bulwark.serving.model;

/** A snapshot that cannot be served (corrupt, incompatible format, bad configuration), with the reason. */
public final class SnapshotRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String kind;

    /** Creates a rejection of the given kind ("format", "config", "load") with a human-readable reason. */
    public SnapshotRejectedException(String kind, String reason, Throwable cause) {
        super(reason, cause);
        this.kind = kind;
    }

    /** Short machine-readable kind of the rejection, used as a metric tag. */
    public String kind() {
        return kind;
    }
}
