package io.bulwark.serving.model;

/** Thrown when a model version is used after it was evicted and closed. */
public final class ModelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the closed model. */
    public ModelClosedException(String message) {
        super(message);
    }
}
