package io.bulwark.job.train;

import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.CheckpointFormat;
import io.bulwark.model.snapshot.SnapshotFiles;

import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The keyed-state serializers of values encoded when a checkpoint is written: a learner's captured state as the
 * checkpoint format, a snapshot as its snapshot file.
 */
class EncodedValueSerializerTest {

    @Test
    void writesTheCheckpointFormatAndReadsItBack() throws IOException {
        byte[] checkpoint;
        CheckpointData captured;
        try (Learner learner = Learner.create(TestData.smallLearner().build(), "cpu")) {
            List<List<Example>> batches = LearnerRuns.batches(48, 5);
            batches.forEach(learner::train);
            checkpoint = learner.checkpoint();
            captured = learner.captureCheckpoint();
        }
        DataOutputSerializer out = new DataOutputSerializer(1024);
        LearnerStateSerializer.INSTANCE.serialize(captured, out);
        byte[] written = out.getCopyOfBuffer();
        assertThat(written).hasSize(4 + checkpoint.length);

        CheckpointData read = LearnerStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(written));
        assertThat(CheckpointFormat.encode(read)).isEqualTo(checkpoint);

        DataOutputSerializer copied = new DataOutputSerializer(1024);
        LearnerStateSerializer.INSTANCE.copy(new DataInputDeserializer(written), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(written);

        written[written.length / 2] ^= 0x10;
        assertThatThrownBy(() -> LearnerStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(written)))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void writesASnapshotAsItsSnapshotFileAndReadsItBack() throws IOException {
        ModelSnapshot snapshot;
        try (Learner learner = Learner.create(TestData.smallLearner().build(), "cpu")) {
            LearnerRuns.batches(32, 6).forEach(learner::train);
            snapshot = Snapshots.toAvro(learner, "m", 3, 2L, List.of(), Map.of("prequentialAccuracy", 0.5));
        }
        DataOutputSerializer out = new DataOutputSerializer(1024);
        SnapshotStateSerializer.INSTANCE.serialize(snapshot, out);
        byte[] written = out.getCopyOfBuffer();
        // A snapshot file (its sync marker is random, so the bytes differ from one encoding to the next).
        assertThat(SnapshotFiles.fromBytes(Arrays.copyOfRange(written, 4, written.length))).isEqualTo(snapshot);
        ModelSnapshot read = SnapshotStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(written));
        assertThat(read).isEqualTo(snapshot);

        byte[] garbage = {0, 0, 0, 3, 1, 2, 3};
        assertThatThrownBy(() -> SnapshotStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(garbage)))
                .isInstanceOf(IOException.class).hasMessageContaining("Unreadable snapshot state");
    }

    @Test
    void itsSnapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<CheckpointData> snapshot = LearnerStateSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<CheckpointData> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(LearnerStateSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<CheckpointData> compatibility =
                LearnerStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
