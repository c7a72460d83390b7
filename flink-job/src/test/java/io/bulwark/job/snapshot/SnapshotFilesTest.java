package io.bulwark.job.snapshot;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.model.Learner;
import io.bulwark.model.snapshot.Snapshots;

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
        try (Learner learner = Learner.create(TestData.smallLearner().build(), "cpu")) {
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
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> SnapshotFiles.read(text)).hasMessageContaining("Not a Bulwark snapshot file");
    }
}
