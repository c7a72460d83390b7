package io.bulwark.model.snapshot;

import io.bulwark.avro.ModelSnapshot;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one snapshot file format: {@link ModelSnapshot} records in an Avro object container file (magic {@code Obj1},
 * writer schema embedded, so any Avro reader opens it). Written by {@code train --save} and {@code snapshots
 * export}, read by {@code serve --snapshot-file}, {@code attack --model} and the job's previous-snapshot state.
 *
 * <p>The header carries {@value #FORMAT_KEY} = {@value #FORMAT_VERSION}; readers reject other versions with a
 * clear message. A file without the key is read as version 1: earlier builds' {@code train --save} wrote the same
 * container and record without it. Schema evolution of the record itself is Avro's (writer schema in the header,
 * reader schema of this build). {@link Snapshots#fromAvro} turns a record into a learner.
 *
 * <pre>{@code
 * ModelSnapshot snapshot = SnapshotFiles.read(Path.of("spam-v12.avro"));
 * Learner learner = Snapshots.fromAvro(snapshot, "cpu");
 * }</pre>
 */
public final class SnapshotFiles {

    /** Header metadata key holding the file format version. */
    public static final String FORMAT_KEY = "bulwark.snapshot.format";
    /** The file format version this class writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private SnapshotFiles() {}

    /** Writes a snapshot file, replacing it and creating its parent directories. */
    public static void write(Path path, ModelSnapshot snapshot) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(path)) {
            write(out, snapshot);
        }
    }

    /** Reads a snapshot file that holds exactly one snapshot. */
    public static ModelSnapshot read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    /** Reads every snapshot of a snapshot file, in file order (at least one). */
    public static List<ModelSnapshot> readAll(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path);
                DataFileStream<ModelSnapshot> reader =
                        new DataFileStream<>(in, new SpecificDatumReader<>(ModelSnapshot.class))) {
            checkFormat(reader, path.toString());
            List<ModelSnapshot> out = new ArrayList<>();
            while (reader.hasNext()) {
                out.add(reader.next());
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("Snapshot file " + path + " holds no snapshot");
            }
            return out;
        } catch (IOException e) {
            throw new IOException("Not a Bulwark snapshot file: " + path + ": " + e.getMessage(), e);
        }
    }

    /** Returns the snapshot as the bytes of a snapshot file. */
    public static byte[] toBytes(ModelSnapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try {
            write(out, snapshot);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialize snapshot " + snapshot.getModelId() + " v"
                    + snapshot.getVersion(), e);
        }
        return out.toByteArray();
    }

    /** Reads the bytes of a snapshot file. */
    public static ModelSnapshot fromBytes(byte[] bytes) {
        try (DataFileReader<ModelSnapshot> reader = new DataFileReader<>(new SeekableByteArrayInput(bytes),
                new SpecificDatumReader<>(ModelSnapshot.class))) {
            return single(reader, "in-memory snapshot");
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a Bulwark snapshot file: " + e.getMessage(), e);
        }
    }

    private static void write(OutputStream out, ModelSnapshot snapshot) throws IOException {
        try (DataFileWriter<ModelSnapshot> writer =
                     new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
            writer.setMeta(FORMAT_KEY, Integer.toString(FORMAT_VERSION));
            writer.create(ModelSnapshot.getClassSchema(), out);
            writer.append(snapshot);
        }
    }

    private static ModelSnapshot read(InputStream in, String name) throws IOException {
        try (DataFileStream<ModelSnapshot> reader =
                     new DataFileStream<>(in, new SpecificDatumReader<>(ModelSnapshot.class))) {
            return single(reader, name);
        } catch (IOException e) {
            throw new IOException("Not a Bulwark snapshot file: " + name + ": " + e.getMessage(), e);
        }
    }

    private static void checkFormat(DataFileStream<ModelSnapshot> reader, String name) {
        byte[] format = reader.getMeta(FORMAT_KEY);
        if (format == null) {
            return;
        }
        String version = new String(format, StandardCharsets.UTF_8);
        if (!Integer.toString(FORMAT_VERSION).equals(version)) {
            throw new IllegalArgumentException("Unsupported snapshot file format version " + version + " in " + name
                    + "; this build reads version " + FORMAT_VERSION);
        }
    }

    private static ModelSnapshot single(DataFileStream<ModelSnapshot> reader, String name) {
        checkFormat(reader, name);
        if (!reader.hasNext()) {
            throw new IllegalArgumentException("Snapshot file " + name + " holds no snapshot");
        }
        ModelSnapshot snapshot = reader.next();
        if (reader.hasNext()) {
            throw new IllegalArgumentException("Snapshot file " + name + " holds more than one snapshot");
        }
        return snapshot;
    }
}
