package io.bulwark.model.snapshot;

import io.bulwark.avro.ModelPayload;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Bulwark's versioned binary parameter format, the bytes of {@link ModelPayload}.
 *
 * <p>Version 1, all integers big-endian:
 * <pre>
 *   int   magic 0x42575054 ("BWPT")
 *   int   format version (1)
 *   int   tensor count
 *   per tensor:
 *     int    name length, then the name in UTF-8
 *     byte   dtype (1 = float32)
 *     int    rank, then rank longs (dimensions)
 *     float32 data, row-major, little-endian
 * </pre>
 * The payload's checksum is CRC32C of the bytes, written as {@code crc32c:<8 hex digits>}.
 */
public final class ParameterFormat {

    /** The version written by this code. */
    public static final int VERSION = 1;

    /** "BWPT". */
    public static final int MAGIC = 0x42575054;

    private static final byte DTYPE_FLOAT32 = 1;
    private static final int MAX_TENSORS = 100_000;
    private static final int MAX_RANK = 8;

    private ParameterFormat() {}

    /** Encodes tensors (in map order) into a checksummed payload. */
    public static ModelPayload toPayload(Map<String, TensorData> tensors) {
        byte[] bytes = encode(tensors);
        return ModelPayload.newBuilder()
                .setFormatVersion(VERSION)
                .setChecksum(checksum(bytes))
                .setBytes(ByteBuffer.wrap(bytes))
                .build();
    }

    /** Encodes tensors (in map order). */
    public static byte[] encode(Map<String, TensorData> tensors) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tensors.size());
            for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeInt(name.length);
                out.write(name);
                out.writeByte(DTYPE_FLOAT32);
                long[] shape = e.getValue().shape();
                out.writeInt(shape.length);
                long size = 1;
                for (long d : shape) {
                    out.writeLong(d);
                    size *= d;
                }
                float[] data = e.getValue().data();
                if (size != data.length) {
                    throw new IllegalArgumentException("Tensor '" + e.getKey() + "' has " + data.length
                            + " values for shape " + Arrays.toString(shape));
                }
                ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(data);
                out.write(buf.array());
            }
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("In-memory write failed", e);
        }
    }

    /** {@code crc32c:<hex>} of {@code bytes}. */
    public static String checksum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return String.format(Locale.ROOT, "crc32c:%08x", crc.getValue());
    }

    /**
     * Decodes a payload after checking its format version and checksum.
     *
     * @throws SnapshotFormatException if the version is unknown, the checksum does not match, or the bytes are
     *     truncated or malformed
     */
    public static Map<String, TensorData> fromPayload(ModelPayload payload) {
        if (payload == null) {
            throw new SnapshotFormatException("Model payload is missing");
        }
        if (payload.getFormatVersion() != VERSION) {
            throw new SnapshotFormatException("Unknown parameter format version " + payload.getFormatVersion()
                    + " (this reader knows version " + VERSION + ")");
        }
        ByteBuffer bb = payload.getBytes().duplicate();
        byte[] bytes = new byte[bb.remaining()];
        bb.get(bytes);
        String actual = checksum(bytes);
        if (!actual.equalsIgnoreCase(String.valueOf(payload.getChecksum()))) {
            throw new SnapshotFormatException("Model payload checksum mismatch: expected " + payload.getChecksum()
                    + ", computed " + actual + " over " + bytes.length + " bytes (corrupted or truncated payload)");
        }
        return decode(bytes);
    }

    /**
     * Decodes bytes written by {@link #encode}, dispatching on the version they carry.
     *
     * @throws SnapshotFormatException on a bad magic number, an unknown version, truncation or malformed content
     */
    public static Map<String, TensorData> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = in.getInt();
            if (magic != MAGIC) {
                throw new SnapshotFormatException(String.format(Locale.ROOT,
                        "Not a Bulwark parameter payload: magic 0x%08x, expected 0x%08x", magic, MAGIC));
            }
            int version = in.getInt();
            return switch (version) {
                case 1 -> decodeV1(in);
                default -> throw new SnapshotFormatException("Unknown parameter format version " + version
                        + " (this reader knows version " + VERSION + ")");
            };
        } catch (BufferUnderflowException e) {
            throw new SnapshotFormatException("Truncated parameter payload: ended after " + bytes.length + " bytes", e);
        }
    }

    private static Map<String, TensorData> decodeV1(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > MAX_TENSORS) {
            throw new SnapshotFormatException("Malformed parameter payload: tensor count " + count);
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (int t = 0; t < count; t++) {
            int nameLength = in.getInt();
            if (nameLength < 0 || nameLength > in.remaining()) {
                throw new SnapshotFormatException("Truncated or malformed parameter payload: tensor " + t
                        + " name length " + nameLength + " with " + in.remaining() + " bytes left");
            }
            byte[] name = new byte[nameLength];
            in.get(name);
            String key = new String(name, StandardCharsets.UTF_8);
            byte dtype = in.get();
            if (dtype != DTYPE_FLOAT32) {
                throw new SnapshotFormatException("Unsupported dtype code " + dtype + " of tensor '" + key + "'");
            }
            int rank = in.getInt();
            if (rank < 0 || rank > MAX_RANK) {
                throw new SnapshotFormatException("Malformed parameter payload: tensor '" + key + "' rank " + rank);
            }
            long[] shape = new long[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = in.getLong();
                if (shape[i] < 0 || (shape[i] > 0 && size > Integer.MAX_VALUE / 4 / shape[i])) {
                    throw new SnapshotFormatException("Malformed parameter payload: tensor '" + key + "' shape "
                            + Arrays.toString(shape));
                }
                size *= shape[i];
            }
            if (size * 4 > in.remaining()) {
                throw new SnapshotFormatException("Truncated parameter payload: tensor '" + key + "' needs "
                        + size * 4 + " bytes, " + in.remaining() + " left");
            }
            float[] data = new float[(int) size];
            ByteBuffer slice = in.slice().order(ByteOrder.LITTLE_ENDIAN);
            slice.limit((int) size * 4);
            slice.asFloatBuffer().get(data);
            in.position(in.position() + (int) size * 4);
            if (out.put(key, new TensorData(shape, data)) != null) {
                throw new SnapshotFormatException("Malformed parameter payload: duplicate tensor '" + key + "'");
            }
        }
        if (in.hasRemaining()) {
            throw new SnapshotFormatException("Malformed parameter payload: " + in.remaining() + " trailing bytes");
        }
        return out;
    }
}
