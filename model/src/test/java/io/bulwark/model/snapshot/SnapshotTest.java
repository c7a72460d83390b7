package io.bulwark.model.snapshot;

import io.bulwark.model.learner.Snapshots;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private static final List<String> PROBES = List.of("cheap viagra lottery now", "project meeting report",
            "w1 w2 w3 casino", "", "ＬＵＮＣＨ tomorrow?");

    private static Learner trained(LearnerConfig config) {
        return SyntheticData.trained(config);
    }

    @Test
    void parameterRoundTripGivesIdenticalLogits() {
        for (LearnerConfig.EncoderType enc : LearnerConfig.EncoderType.values()) {
            LearnerConfig config =
                    SyntheticData.small().optEncoderType(enc).optCharNgrams(3).optBregmanWeight(1.0).build();
            try (Learner learner = trained(config)) {
                ModelPayload payload = learner.exportParameters();
                assertThat(payload.getFormatVersion()).isEqualTo(ParameterFormat.VERSION);
                assertThat(payload.getChecksum()).matches("crc32c:[0-9a-f]{8}");
                try (Learner copy = Learner.fromParameters(config, learner.labels(), payload,
                        learner.exportTeacher().orElse(null), "cpu")) {
                    assertThat(copy.labels()).isEqualTo(learner.labels());
                    float[][] a = learner.logits(PROBES);
                    float[][] b = copy.logits(PROBES);
                    for (int i = 0; i < a.length; i++) {
                        assertThat(b[i]).containsExactly(a[i]);
                    }
                    assertThat(copy.teacherValues().get("head.weight"))
                            .containsExactly(learner.teacherValues().get("head.weight"));
                }
            }
        }
    }

    @Test
    void corruptedTruncatedAndUnknownVersionPayloadsAreRejected() {
        LearnerConfig config = SyntheticData.small().build();
        try (Learner learner = trained(config)) {
            ModelPayload good = learner.exportParameters();
            byte[] bytes = bytes(good);

            byte[] flipped = bytes.clone();
            flipped[flipped.length / 2] ^= 0x10;
            ModelPayload corrupted = payload(good.getFormatVersion(), good.getChecksum(), flipped);
            assertThatThrownBy(() -> Learner.fromParameters(config, learner.labels(), corrupted, null, "cpu"))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("checksum mismatch")
                    .hasMessageContaining("corrupted or truncated");

            byte[] cut = Arrays.copyOf(bytes, bytes.length - 100);
            assertThatThrownBy(() -> ParameterFormat.fromPayload(payload(1, good.getChecksum(), cut)))
                    .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("checksum mismatch");
            // Truncated with a matching checksum (e.g. cut before checksumming): the parser says so.
            assertThatThrownBy(() -> ParameterFormat.fromPayload(payload(1, ParameterFormat.checksum(cut), cut)))
                    .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("Truncated")
                    .hasMessageContaining("parameter payload");

            assertThatThrownBy(() -> ParameterFormat.fromPayload(payload(2, good.getChecksum(), bytes)))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("Unknown parameter format version 2");
            byte[] v9 = bytes.clone();
            v9[7] = 9; // the version int inside the bytes
            assertThatThrownBy(() -> ParameterFormat.decode(v9))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("Unknown parameter format version 9");
            assertThatThrownBy(() -> ParameterFormat.decode("not a model".getBytes(StandardCharsets.UTF_8)))
                    .hasMessageContaining("Not a Bulwark parameter payload");

            LearnerConfig other = config.toBuilder().optEmbeddingDim(8).build();
            assertThatThrownBy(() -> Learner.fromParameters(other, learner.labels(), good, null, "cpu"))
                    .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("expects");
        }
    }

    @Test
    void aCapturedCheckpointKeepsItsStateWhileTheLearnerTrainsOn() {
        // Continual on (wide side, naive Bayes, replay) and the Bregman teacher: every group of the state.
        LearnerConfig config = SyntheticData.small().optBregmanWeight(1.0).build();
        try (Learner learner = trained(config)) {
            byte[] atCapture = learner.checkpoint();
            CheckpointData captured = learner.captureCheckpoint();
            assertThat(CheckpointFormat.encode(captured)).isEqualTo(atCapture);
            assertThat(captured.arrayBytes()).isBetween(atCapture.length - 4096L, (long) atCapture.length);

            List<Example> more = SyntheticData.keywordTask(32, 9);
            learner.train(more.subList(0, 16));
            learner.train(more.subList(16, 32));
            assertThat(learner.checkpoint()).isNotEqualTo(atCapture);
            assertThat(CheckpointFormat.encode(captured)).as("the capture is a copy, not a view").isEqualTo(atCapture);

            try (Learner restored = Learner.restore(captured, "cpu")) {
                assertThat(restored.checkpoint()).isEqualTo(atCapture);
                assertThat(restored.config().continual().replayPerClass()).isPositive();
            }
        }
    }

    @Test
    void checkpointsRejectCorruptionTruncationAndUnknownVersions() {
        try (Learner learner = trained(SyntheticData.small().build())) {
            byte[] cp = learner.checkpoint();
            byte[] flipped = cp.clone();
            flipped[cp.length / 3] ^= 0x01;
            assertThatThrownBy(() -> Learner.restore(flipped, "cpu")).isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("Checkpoint checksum mismatch");
            assertThatThrownBy(() -> Learner.restore(Arrays.copyOf(cp, cp.length - 9), "cpu"))
                    .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("corrupted or truncated");
            assertThatThrownBy(() -> Learner.restore(Arrays.copyOf(cp, 5), "cpu"))
                    .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("Truncated checkpoint");
            byte[] v3 = cp.clone();
            v3[7] = 3;
            assertThatThrownBy(() -> Learner.restore(v3, "cpu")).isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("Unknown checkpoint format version 3");
        }
    }

    @Test
    void avroSnapshotRoundTrip() throws IOException {
        LearnerConfig config = SyntheticData.small().optBregmanWeight(1.0).build();
        try (Learner learner = trained(config)) {
            ModelSnapshot snap = Snapshots.toAvro(learner, "spam-model", 3L, 2L,
                    List.of(new SourceOffset("events", 0, 42L)), Map.of("prequentialAccuracy", 0.9));
            assertThat(snap.getEncoderConfig()).containsEntry("encoder.buckets", "2048")
                    .doesNotContainKey("strategy.type");
            assertThat(snap.getTrainingConfig()).containsEntry("strategy.type", "FREEAT")
                    .doesNotContainKey("encoder.buckets");
            assertThat(snap.getLabels()).isEqualTo(learner.labels());
            assertThat(snap.getExamplesSeen()).isEqualTo(64);
            assertThat(snap.getBatchesSeen()).isEqualTo(4);
            assertThat(snap.getSeed()).isEqualTo(42L);
            assertThat(snap.getTeacherPayload()).isNotNull();
            assertThat(snap.getMetrics()).containsEntry("prequentialAccuracy", 0.9).containsKey("updates");

            // Through Avro binary and back.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(ModelSnapshot.class).write(snap, encoder);
            encoder.flush();
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
            ModelSnapshot read = new SpecificDatumReader<>(ModelSnapshot.class).read(null, decoder);
            try (Learner copy = Snapshots.fromAvro(read, "cpu")) {
                assertThat(copy.config()).isEqualTo(config);
                float[][] a = learner.logits(PROBES);
                float[][] b = copy.logits(PROBES);
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).containsExactly(a[i]);
                }
            }
            read.getPayload().getBytes().put(100, (byte) (read.getPayload().getBytes().get(100) ^ 0x7f));
            assertThatThrownBy(() -> Snapshots.fromAvro(read, "cpu")).isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("checksum mismatch");
        }
    }

    /**
     * Version-1 files written once by this code (see {@link FixtureWriter}): they must keep loading, with the same
     * predictions, whatever the formats become.
     */
    @Test
    void committedVersion1FixturesStillLoad() throws IOException {
        byte[] checkpoint = resource("/fixtures/checkpoint-v1.bin");
        byte[] payloadBytes = resource("/fixtures/payload-v1.bin");
        String expected = new String(resource("/fixtures/expected-logits-v1.txt"), StandardCharsets.UTF_8).trim();
        try (Learner restored = Learner.restore(checkpoint, "cpu")) {
            assertThat(restored.labels()).containsExactly("ham", "spam");
            assertClose(restored.logits(FixtureWriter.PROBES), expected);
            ModelPayload payload = payload(1, ParameterFormat.checksum(payloadBytes), payloadBytes);
            try (Learner fromPayload = Learner.fromParameters(restored.config(), restored.labels(), payload, null,
                    "cpu")) {
                assertClose(fromPayload.logits(FixtureWriter.PROBES), expected);
            }
            // A restored fixture keeps training.
            restored.train(SyntheticData.keywordTask(8, 1));
            assertThat(restored.updates()).isGreaterThan(0);
        }
    }

    /** Compares with the recorded logits (float bits in hex); a tolerance absorbs libtorch kernel changes. */
    static void assertClose(float[][] actual, String expected) {
        String[] rows = expected.split("\n");
        assertThat(actual.length).isEqualTo(rows.length);
        for (int i = 0; i < rows.length; i++) {
            String[] cells = rows[i].trim().split(" ");
            assertThat(actual[i]).hasSameSizeAs(cells);
            for (int j = 0; j < cells.length; j++) {
                float e = Float.intBitsToFloat(Integer.parseUnsignedInt(cells[j], 16));
                assertThat(actual[i][j]).as("logit [%d][%d]", i, j).isCloseTo(e, org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SnapshotTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    static byte[] bytes(ModelPayload p) {
        ByteBuffer b = p.getBytes().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static ModelPayload payload(int version, String checksum, byte[] bytes) {
        return ModelPayload.newBuilder().setFormatVersion(version).setChecksum(checksum)
                .setBytes(ByteBuffer.wrap(bytes)).build();
    }
}
