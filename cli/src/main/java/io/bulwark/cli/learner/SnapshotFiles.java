package io.bulwark.cli.learner;

import io.bulwark.avro.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Model snapshots as files: an Avro object container file holding one {@link ModelSnapshot} (the schema travels in
 * the file header, so any Avro reader can open it); load it with {@link #read} and
 * {@code io.bulwark.model.snapshot.Snapshots.fromAvro}.
 */
public final class SnapshotFiles {
    private SnapshotFiles() {}

    /** Writes one snapshot to {@code path}, replacing the file. */
    public static void write(Path path, ModelSnapshot snapshot) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (DataFileWriter<ModelSnapshot> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
            writer.create(ModelSnapshot.getClassSchema(), path.toFile());
            writer.append(snapshot);
        }
    }

    /** Reads the first snapshot of a file written by {@link #write}. */
    public static ModelSnapshot read(Path path) throws IOException {
        try (DataFileReader<ModelSnapshot> reader =
                new DataFileReader<>(path.toFile(), new SpecificDatumReader<>(ModelSnapshot.class))) {
            if (!reader.hasNext()) {
                throw new IOException("No snapshot in " + path);
            }
            return reader.next();
        } catch (IOException e) {
            throw new IOException("Cannot read a model snapshot from " + path + ": " + e.getMessage(), e);
        }
    }
}
