package io.bulwark.serving.model;

import io.bulwark.avro.ModelSnapshot;

/** Turns a snapshot record into a model ready to score, or refuses it with the reason. */
@FunctionalInterface
public interface SnapshotLoader {

    /** Loads {@code snapshot}, validating its format version and checksum. */
    ScoringModel load(ModelSnapshot snapshot) throws SnapshotRejectedException;
}
