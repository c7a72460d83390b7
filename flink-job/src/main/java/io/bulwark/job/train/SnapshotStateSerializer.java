package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.snapshot.SnapshotFiles;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

import java.io.IOException;

/**
 * Serializer of a published model snapshot kept in keyed state (the previous version, for drift), as its snapshot
 * file ({@link SnapshotFiles}). The training thread stores the object; it is encoded when the state backend writes
 * the checkpoint. A stored snapshot is never changed.
 */
public final class SnapshotStateSerializer extends EncodedValueSerializer<ModelSnapshot> {

    private static final long serialVersionUID = 1L;

    /** The instance. */
    public static final SnapshotStateSerializer INSTANCE = new SnapshotStateSerializer();

    @Override
    byte[] encode(ModelSnapshot value) {
        return SnapshotFiles.toBytes(value);
    }

    @Override
    ModelSnapshot decode(byte[] bytes) throws IOException {
        try {
            return SnapshotFiles.fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("Unreadable snapshot state: " + e.getMessage(), e);
        }
    }

    @Override
    public TypeSerializerSnapshot<ModelSnapshot> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the snapshot file names its own format version, so the serializer has none. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ModelSnapshot> {

        /** Creates the snapshot (also used reflectively on restore). */
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
