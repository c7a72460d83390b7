package io.bulwark.model.snapshot;

import io.bulwark.model.learner.Snapshots;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotFilesTest {

    @Test
    void anExportedSnapshotLoadsIntoTheSameModel(@TempDir Path tmp) throws Exception {
        List<String> texts = List.of("win a casino prize", "project meeting at noon");
        try (Learner learner = Learner.create(SyntheticData.small().optLabels(List.of("ham", "spam")).build(), "cpu")) {
            learner.train(List.of(Example.of(texts.get(0), "spam"), Example.of(texts.get(1), "ham")));
            ModelSnapshot snapshot = Snapshots.toAvro(learner, "m", 3, 2L,
                    List.of(new SourceOffset("in", 0, 10L)), Map.of("prequentialAccuracy", 0.5));
            Path file = tmp.resolve("m-v3.avro");
            SnapshotFiles.write(file, snapshot);

            ModelSnapshot back = SnapshotFiles.read(file);
            assertThat(back).isEqualTo(snapshot);
            assertThat(SnapshotFiles.fromBytes(SnapshotFiles.toBytes(snapshot))).isEqualTo(snapshot);
            try (Learner loaded = Snapshots.fromAvro(back, "cpu")) {
                assertThat(loaded.labels()).isEqualTo(learner.labels());
                assertThat(loaded.logits(texts)).isDeepEqualTo(learner.logits(texts));
            }
        }
    }

    @Test
    void rejectsOtherFormatVersionsAndOtherFiles(@TempDir Path tmp) throws Exception {
        Path future = tmp.resolve("future.avro");
        try (DataFileWriter<ModelSnapshot> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
            w.setMeta(SnapshotFiles.FORMAT_KEY, "2");
            w.create(ModelSnapshot.getClassSchema(), future.toFile());
        }
        assertThatThrownBy(() -> SnapshotFiles.read(future))
                .hasMessageContaining("Unsupported snapshot file format version 2");
        Path empty = tmp.resolve("empty.avro");
        try (DataFileWriter<ModelSnapshot> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
            w.setMeta(SnapshotFiles.FORMAT_KEY, "1");
            w.create(ModelSnapshot.getClassSchema(), empty.toFile());
        }
        assertThatThrownBy(() -> SnapshotFiles.read(empty)).hasMessageContaining("holds no snapshot");
        assertThatThrownBy(() -> SnapshotFiles.readAll(empty)).hasMessageContaining("holds no snapshot");
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> SnapshotFiles.read(text)).hasMessageContaining("Not a Bulwark snapshot file");
    }

    @Test
    void aFileWithoutTheFormatKeyIsReadAsVersion1AndReadAllKeepsFileOrder(@TempDir Path tmp) throws Exception {
        try (Learner learner = Learner.create(SyntheticData.small().optLabels(List.of("ham", "spam")).build(), "cpu")) {
            ModelSnapshot v1 = Snapshots.toAvro(learner, "m", 1, 1L, List.of(), Map.of());
            ModelSnapshot v2 = Snapshots.toAvro(learner, "m", 2, 1L, List.of(), Map.of());
            Path legacy = tmp.resolve("legacy.avro");
            try (DataFileWriter<ModelSnapshot> w =
                    new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
                w.create(ModelSnapshot.getClassSchema(), legacy.toFile());
                w.append(v1);
                w.append(v2);
            }
            assertThat(SnapshotFiles.readAll(legacy)).containsExactly(v1, v2);
            assertThatThrownBy(() -> SnapshotFiles.read(legacy)).hasMessageContaining("more than one snapshot");
        }
    }

    /** A snapshot file written by format version 1 (see FixtureWriter) still loads and scores as it did. */
    @Test
    void committedVersion1SnapshotFileStillLoads() throws Exception {
        Path file = Path.of(SnapshotFilesTest.class.getResource("/fixtures/snapshot-file-v1.avro").toURI());
        ModelSnapshot snapshot = SnapshotFiles.read(file);
        assertThat(snapshot.getModelId()).isEqualTo("fixture");
        assertThat(snapshot.getVersion()).isEqualTo(1);
        String expected = new String(SnapshotFilesTest.class.getResourceAsStream("/fixtures/expected-logits-v1.txt")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        try (Learner loaded = Snapshots.fromAvro(snapshot, "cpu")) {
            SnapshotTest.assertClose(loaded.logits(FixtureWriter.PROBES), expected);
        }
    }
}
