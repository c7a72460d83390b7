package io.bulwark.serving.model;

import io.bulwark.avro.ModelSnapshot;

/** Turns a snapshot record into a model ready to score, or refuses it with the reason. */
@FunctionalInterface
public interface SnapshotLoader {

    /** Loads {@code snapshot}, validating its format version and checksum. */
    ScoringModel load(ModelSnapshot snapshot) throws SnapshotRejectedException;

    /**
     * The pooled word embeddings of {@code snapshot} for the input monitor, or null when its models have none (the
     * default). Called after {@link #load} succeeded; a failure here only leaves the version without embeddings.
     */
    default PooledEmbedder embedder(ModelSnapshot snapshot) {
        return null;
    }
}
