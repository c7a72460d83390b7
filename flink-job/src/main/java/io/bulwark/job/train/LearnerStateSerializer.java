package io.bulwark.job.train;

import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.CheckpointFormat;
import io.bulwark.model.snapshot.SnapshotFormatException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

import java.io.IOException;

/**
 * Serializer of a learner's captured state ({@link io.bulwark.model.learner.Learner#captureCheckpoint()}) in keyed
 * state, as its {@link CheckpointFormat} bytes. The training thread only captures the state (a heap copy of the
 * learner's arrays); the encoding and its checksum run when the state backend writes the checkpoint.
 */
public final class LearnerStateSerializer extends EncodedValueSerializer<CheckpointData> {

    private static final long serialVersionUID = 1L;

    /** The instance. */
    public static final LearnerStateSerializer INSTANCE = new LearnerStateSerializer();

    @Override
    byte[] encode(CheckpointData value) {
        return CheckpointFormat.encode(value);
    }

    @Override
    CheckpointData decode(byte[] bytes) throws IOException {
        try {
            return CheckpointFormat.decode(bytes);
        } catch (SnapshotFormatException e) {
            throw new IOException("Unreadable learner state: " + e.getMessage(), e);
        }
    }

    @Override
    public TypeSerializerSnapshot<CheckpointData> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the format's version is inside each value, so the serializer has no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CheckpointData> {

        /** Creates the snapshot (also used reflectively on restore). */
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
