package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.model.snapshot.SnapshotFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One captured model version waiting to be published: the snapshot taken on the training thread, the previous
 * version's snapshot (for drift), the held-out window it is to be evaluated on, and the training statistics its
 * report carries. The {@link SnapshotEvaluator} turns it into the snapshot, latest-snapshot and report records, off
 * the training thread.
 *
 * <p>Requests still in flight at a checkpoint are kept in keyed state, one list per model, in a versioned format
 * ({@link #toBytes(List)} writes {@value #FORMAT_VERSION} first, {@link #fromBytes(byte[])} rejects other
 * versions). A request's previous snapshot is usually the snapshot of the request before it: it is then written once.
 * A version that is not evaluated and whose snapshot is out is written without snapshots. The snapshot-file bytes
 * are kept, so a version in flight over several checkpoints is encoded once.
 */
final class EvaluationRequest {

    /** Version of the state format written by {@link #toBytes(List)}. */
    static final int FORMAT_VERSION = 1;

    private static final byte NO_PREVIOUS = 0;
    private static final byte PREVIOUS_IS_PRIOR_REQUEST = 1;
    private static final byte PREVIOUS_INLINE = 2;

    final String modelId;
    final long version;
    /** Processing time the version was captured, epoch ms: the report's creation time. */
    final long createdAt;
    /** Whether the robustness evaluation runs ({@code eval.every-snapshots}, {@code eval.max-pending}). */
    final boolean evaluate;
    /** The snapshot; null once its records are out and no evaluation needs it ({@link #release()}). */
    ModelSnapshot snapshot;
    /** The previous version's snapshot, for drift; null when there is none or it is no longer needed. */
    ModelSnapshot previous;
    final List<Example> window;
    final long windowStart;
    final long windowEnd;
    /** Training statistics since the previous version, copied into the report. */
    final double prequentialAccuracy;
    final double loss;
    final double deltaNorm;
    final long skippedBatches;
    final double examplesPerSecond;
    /** The snapshot and previous snapshot as snapshot-file bytes, made at the first checkpoint that needs them. */
    private byte[] snapshotFile;
    private byte[] previousFile;
    /** Whether the snapshot's records were emitted (then only the report is outstanding). Training thread only. */
    boolean snapshotPublished;

    EvaluationRequest(String modelId, long version, long createdAt, boolean evaluate, ModelSnapshot snapshot,
                      ModelSnapshot previous, List<Example> window, long windowStart, long windowEnd,
                      double prequentialAccuracy, double loss, double deltaNorm, long skippedBatches,
                      double examplesPerSecond) {
        this.modelId = modelId;
        this.version = version;
        this.createdAt = createdAt;
        this.evaluate = evaluate;
        this.snapshot = snapshot;
        this.previous = previous;
        this.window = List.copyOf(window);
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.prequentialAccuracy = prequentialAccuracy;
        this.loss = loss;
        this.deltaNorm = deltaNorm;
        this.skippedBatches = skippedBatches;
        this.examplesPerSecond = examplesPerSecond;
    }

    /**
     * Drops the snapshots of a version that is not evaluated once its snapshot records are out: what is left (the
     * report's statistics) is small, so versions queued behind a slow evaluation cost neither memory nor checkpoint
     * size. Training thread only, after the snapshot's encoding finished.
     */
    void release() {
        if (snapshotPublished && !evaluate) {
            snapshot = null;
            previous = null;
            snapshotFile = null;
            previousFile = null;
        }
    }

    @Override
    public String toString() {
        return "EvaluationRequest{" + modelId + " v" + version + (evaluate ? ", evaluate " : ", no evaluation, ")
                + window.size() + " held-out}";
    }

    /** Writes one model's requests, oldest first. */
    static byte[] toBytes(List<EvaluationRequest> requests) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeInt(requests.size());
            EvaluationRequest prior = null;
            for (EvaluationRequest r : requests) {
                out.writeUTF(r.modelId);
                out.writeLong(r.version);
                out.writeLong(r.createdAt);
                out.writeBoolean(r.evaluate);
                out.writeBoolean(r.snapshotPublished);
                out.writeBoolean(r.snapshot != null);
                if (r.snapshot != null) {
                    if (r.snapshotFile == null) {
                        r.snapshotFile = SnapshotFiles.toBytes(r.snapshot);
                    }
                    writeBytes(out, r.snapshotFile);
                }
                if (r.previous == null) {
                    out.writeByte(NO_PREVIOUS);
                } else if (prior != null && prior.snapshot != null && r.previous == prior.snapshot) {
                    out.writeByte(PREVIOUS_IS_PRIOR_REQUEST);
                } else {
                    out.writeByte(PREVIOUS_INLINE);
                    if (r.previousFile == null) {
                        r.previousFile = SnapshotFiles.toBytes(r.previous);
                    }
                    writeBytes(out, r.previousFile);
                }
                out.writeInt(r.window.size());
                for (Example e : r.window) {
                    writeBytes(out, e.text().getBytes(StandardCharsets.UTF_8));
                    out.writeUTF(e.label());
                    out.writeFloat(e.weight());
                }
                out.writeLong(r.windowStart);
                out.writeLong(r.windowEnd);
                out.writeDouble(r.prequentialAccuracy);
                out.writeDouble(r.loss);
                out.writeDouble(r.deltaNorm);
                out.writeLong(r.skippedBatches);
                out.writeDouble(r.examplesPerSecond);
                prior = r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #toBytes(List)} wrote. */
    static List<EvaluationRequest> fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format != FORMAT_VERSION) {
                throw new IllegalStateException("Unsupported pending-evaluation state format " + format
                        + " (this version reads " + FORMAT_VERSION + ")");
            }
            int n = in.readInt();
            List<EvaluationRequest> out = new ArrayList<>(n);
            EvaluationRequest prior = null;
            for (int i = 0; i < n; i++) {
                String modelId = in.readUTF();
                long version = in.readLong();
                long createdAt = in.readLong();
                boolean evaluate = in.readBoolean();
                boolean snapshotPublished = in.readBoolean();
                ModelSnapshot snapshot = in.readBoolean() ? SnapshotFiles.fromBytes(readBytes(in)) : null;
                byte previousKind = in.readByte();
                ModelSnapshot previous;
                if (previousKind == NO_PREVIOUS) {
                    previous = null;
                } else if (previousKind == PREVIOUS_IS_PRIOR_REQUEST && prior != null && prior.snapshot != null) {
                    previous = prior.snapshot;
                } else if (previousKind == PREVIOUS_INLINE) {
                    previous = SnapshotFiles.fromBytes(readBytes(in));
                } else {
                    throw new IllegalStateException("Corrupt pending-evaluation state: previous kind " + previousKind);
                }
                int w = in.readInt();
                List<Example> window = new ArrayList<>(w);
                for (int j = 0; j < w; j++) {
                    String text = new String(readBytes(in), StandardCharsets.UTF_8);
                    window.add(new Example(text, in.readUTF(), in.readFloat()));
                }
                EvaluationRequest r = new EvaluationRequest(modelId, version, createdAt, evaluate, snapshot,
                        previous, window, in.readLong(), in.readLong(), in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readLong(), in.readDouble());
                r.snapshotPublished = snapshotPublished;
                out.add(r);
                prior = r;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
