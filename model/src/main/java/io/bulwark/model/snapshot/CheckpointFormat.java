package io.bulwark.model.snapshot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Versioned binary format of learner checkpoints.
 *
 * <p>Version 1, big-endian: magic 0x4257434B ("BWCK"), format version, configuration map, labels, student
 * parameters, optional teacher, optimizer step and moments, strategy state, RNG state, counters (each tensor group
 * in {@link ParameterFormat}, length-prefixed), and a trailing CRC32C of everything before it.
 *
 * <p>Version 2 adds, after the counters, a flag and the length-prefixed replay reservoir state. Version 1
 * checkpoints are still read (without replay state).
 */
public final class CheckpointFormat {

    /** The version written by this code. */
    public static final int VERSION = 2;

    /** "BWCK". */
    public static final int MAGIC = 0x4257434B;

    private CheckpointFormat() {}

    /** Encodes a checkpoint. */
    public static byte[] encode(CheckpointData c) {
        try {
            long expected = 4096 + c.arrayBytes();
            ByteArrayOutputStream bos = new ByteArrayOutputStream((int) Math.min(expected, Integer.MAX_VALUE - 16));
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(bos, crc));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(c.config().size());
            for (Map.Entry<String, String> e : c.config().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.writeInt(c.labels().size());
            for (String l : c.labels()) {
                writeString(out, l);
            }
            writeBlob(out, ParameterFormat.encode(c.student()));
            out.writeBoolean(c.teacher() != null);
            if (c.teacher() != null) {
                writeBlob(out, ParameterFormat.encode(c.teacher()));
            }
            out.writeLong(c.optimizerStep());
            writeBlob(out, ParameterFormat.encode(c.firstMoments()));
            writeBlob(out, ParameterFormat.encode(c.secondMoments()));
            writeBlob(out, ParameterFormat.encode(c.strategyState()));
            out.writeLong(c.rngState());
            out.writeLong(c.examplesSeen());
            out.writeLong(c.batchesSeen());
            out.writeLong(c.skippedBatches());
            out.writeLong(c.updates());
            out.writeBoolean(c.replay() != null);
            if (c.replay() != null) {
                writeBlob(out, c.replay());
            }
            out.flush();
            int sum = (int) crc.getValue();
            bos.write(sum >>> 24);
            bos.write(sum >>> 16);
            bos.write(sum >>> 8);
            bos.write(sum);
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("In-memory write failed", e);
        }
    }

    /**
     * Decodes a checkpoint.
     *
     * @throws SnapshotFormatException if it is truncated, corrupted, or of an unknown version
     */
    public static CheckpointData decode(byte[] bytes) {
        if (bytes == null || bytes.length < 12) {
            throw new SnapshotFormatException("Truncated checkpoint: " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new SnapshotFormatException(String.format(Locale.ROOT,
                        "Not a Bulwark checkpoint: magic 0x%08x, expected 0x%08x", magic, MAGIC));
            }
            int version = in.readInt();
            if (version != 1 && version != VERSION) {
                throw new SnapshotFormatException("Unknown checkpoint format version " + version
                        + " (this reader knows versions 1 to " + VERSION + ")");
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            int stored = ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
                    | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff);
            if (stored != (int) crc.getValue()) {
                throw new SnapshotFormatException(String.format(Locale.ROOT,
                        "Checkpoint checksum mismatch: stored crc32c:%08x, computed crc32c:%08x over %d bytes "
                                + "(corrupted or truncated checkpoint)", stored, (int) crc.getValue(), bytes.length - 4));
            }
            return decodeBody(in, version);
        } catch (EOFException e) {
            throw new SnapshotFormatException("Truncated checkpoint: ended after " + bytes.length + " bytes", e);
        } catch (IOException e) {
            throw new SnapshotFormatException("Unreadable checkpoint: " + e.getMessage(), e);
        }
    }

    private static CheckpointData decodeBody(DataInputStream in, int version) throws IOException {
        int n = in.readInt();
        checkCount(n, "configuration entries");
        Map<String, String> config = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            config.put(readString(in), readString(in));
        }
        int labelCount = in.readInt();
        checkCount(labelCount, "labels");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < labelCount; i++) {
            labels.add(readString(in));
        }
        Map<String, TensorData> student = ParameterFormat.decode(readBlob(in));
        Map<String, TensorData> teacher = in.readBoolean() ? ParameterFormat.decode(readBlob(in)) : null;
        long optimizerStep = in.readLong();
        Map<String, TensorData> m = ParameterFormat.decode(readBlob(in));
        Map<String, TensorData> v = ParameterFormat.decode(readBlob(in));
        Map<String, TensorData> strategy = ParameterFormat.decode(readBlob(in));
        long rng = in.readLong();
        long examples = in.readLong();
        long batches = in.readLong();
        long skipped = in.readLong();
        long updates = in.readLong();
        byte[] replay = version >= 2 && in.readBoolean() ? readBlob(in) : null;
        in.readInt(); // checksum, verified before
        if (in.available() > 0) {
            throw new SnapshotFormatException("Malformed checkpoint: " + in.available() + " trailing bytes");
        }
        return new CheckpointData(config, labels, student, teacher, optimizerStep, m, v, strategy, rng, examples,
                batches, skipped, updates, replay);
    }

    private static void checkCount(int n, String what) {
        if (n < 0 || n > 10_000_000) {
            throw new SnapshotFormatException("Malformed checkpoint: " + n + " " + what);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBlob(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBlob(in), StandardCharsets.UTF_8);
    }

    private static void writeBlob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBlob(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new SnapshotFormatException("Truncated or malformed checkpoint: block of " + n + " bytes with "
                    + in.available() + " left");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
