package io.bulwark.job.train;

import io.bulwark.avro.SourceOffset;
import io.bulwark.model.StepResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The bookkeeping of one model beside its learner: snapshot version, counters, metric sums since the previous
 * snapshot, batch timing and source offsets. Kept in keyed state as bytes in a versioned format
 * ({@link #toBytes()} writes {@value #FORMAT_VERSION} first; {@link #fromBytes(byte[])} reads it and version 1, which
 * had no {@link #unlabeled} count, and rejects other versions).
 *
 * <p>Offsets: every event the model consumes (trained, held out or dead-lettered for its label) advances the
 * pending position of its partition; when a batch is trained the pending positions become the model's committed
 * positions. A snapshot's offsets cover the input it reflects and the consumed events its state keeps for a later
 * batch: a new label's held-back events and, when their release filled a batch, the event that qualified the label.
 * A version trained from only such events therefore carries the same offsets as the one before it.
 */
public final class ModelProgress {

    /** Version of the state format written by {@link #toBytes()}. */
    public static final int FORMAT_VERSION = 2;

    /** Latest published snapshot version, 0 before the first. */
    public long version;
    /** Batches trained. */
    public long batches;
    /** Examples trained. */
    public long examplesTrained;
    /** Labeled examples trained (prequential denominator). */
    public long labeledTrained;
    /** Labeled examples predicted right before their update (prequential numerator). */
    public long correctBeforeUpdate;
    /** Batches whose update was skipped. */
    public long skippedBatches;
    /** Events held out. */
    public long heldOut;
    /** Events dead-lettered by the training operator (unknown label). */
    public long deadLetters;
    /** Unlabeled events received and not trained on (the learner's VAT/ALUM term is off). */
    public long unlabeled;
    /** Latest event time seen, epoch ms, or {@link Long#MIN_VALUE}. */
    public long lastEventTime = Long.MIN_VALUE;
    /** Processing time the pending batch received its first event, or -1 when it is empty. */
    public long pendingSince = -1;
    /** Processing time of the previous snapshot (or of the model's creation). */
    public long lastSnapshotAt;

    /** Batches since the previous snapshot. */
    public long sinceBatches;
    /** Examples since the previous snapshot. */
    public long sinceExamples;
    /** Labeled examples since the previous snapshot. */
    public long sinceLabeled;
    /** Correct-before-update since the previous snapshot. */
    public long sinceCorrect;
    /** Sum of finite batch losses since the previous snapshot. */
    public double sinceLossSum;
    /** Batches with a finite loss since the previous snapshot. */
    public long sinceLossCount;
    /** Sum of batch delta norms since the previous snapshot. */
    public double sinceDeltaNormSum;
    /** Sum of batch teacher drifts since the previous snapshot. */
    public double sinceTeacherDriftSum;
    /** Processing time the first batch since the previous snapshot started, or -1. */
    public long sinceFirstBatchAt = -1;
    /** Latest batch's delta norm. */
    public double lastDeltaNorm;
    /** Latest batch's teacher drift. */
    public double lastTeacherDriftKl;
    /** Clean accuracy at the latest snapshot, NaN before. */
    public double lastCleanAccuracy = Double.NaN;
    /** Robust accuracy at the latest snapshot, NaN before. */
    public double lastRobustAccuracy = Double.NaN;

    /** Positions reflected in the model: topic -> partition -> next offset. */
    public final Map<String, Map<Integer, Long>> committedOffsets = new TreeMap<>();
    /** Positions consumed but not yet reflected in a trained batch. */
    public final Map<String, Map<Integer, Long>> pendingOffsets = new TreeMap<>();

    /** Creates progress for a new model created at processing time {@code now}. */
    public static ModelProgress start(long now) {
        ModelProgress p = new ModelProgress();
        p.lastSnapshotAt = now;
        return p;
    }

    /** Records that the event at {@code offset} of {@code topic}-{@code partition} was consumed. */
    public void consumed(String topic, int partition, long offset) {
        pendingOffsets.computeIfAbsent(topic, t -> new TreeMap<>()).merge(partition, offset + 1, Math::max);
    }

    /** Moves the pending positions into the committed ones (after a batch is trained). */
    public void commitOffsets() {
        for (Map.Entry<String, Map<Integer, Long>> t : pendingOffsets.entrySet()) {
            Map<Integer, Long> target = committedOffsets.computeIfAbsent(t.getKey(), k -> new TreeMap<>());
            for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                target.merge(p.getKey(), p.getValue(), Math::max);
            }
        }
        pendingOffsets.clear();
    }

    /** Returns the committed positions as Avro records, ordered by topic and partition. */
    public List<SourceOffset> sourceOffsets() {
        List<SourceOffset> out = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, Long>> t : committedOffsets.entrySet()) {
            for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                out.add(SourceOffset.newBuilder().setTopic(t.getKey()).setPartition(p.getKey())
                        .setOffset(p.getValue()).build());
            }
        }
        return out;
    }

    /** Adds a trained batch's result to the counters and the sums since the previous snapshot. */
    public void recordBatch(StepResult r) {
        batches++;
        examplesTrained += r.examples();
        labeledTrained += r.labeled();
        correctBeforeUpdate += r.correctBeforeUpdate();
        sinceBatches++;
        sinceExamples += r.examples();
        sinceLabeled += r.labeled();
        sinceCorrect += r.correctBeforeUpdate();
        if (r.skipped()) {
            skippedBatches++;
        }
        if (Double.isFinite(r.loss())) {
            sinceLossSum += r.loss();
            sinceLossCount++;
        }
        sinceDeltaNormSum += r.deltaNorm();
        sinceTeacherDriftSum += r.teacherDriftKl();
        lastDeltaNorm = r.deltaNorm();
        lastTeacherDriftKl = r.teacherDriftKl();
    }

    /** Returns the prequential accuracy over everything trained, NaN before the first labeled example. */
    public double prequentialAccuracy() {
        return labeledTrained == 0 ? Double.NaN : (double) correctBeforeUpdate / labeledTrained;
    }

    /** Clears the sums kept since the previous snapshot (after publishing one at {@code now}). */
    public void resetSinceSnapshot(long now) {
        lastSnapshotAt = now;
        sinceBatches = 0;
        sinceExamples = 0;
        sinceLabeled = 0;
        sinceCorrect = 0;
        sinceLossSum = 0;
        sinceLossCount = 0;
        sinceDeltaNormSum = 0;
        sinceTeacherDriftSum = 0;
        sinceFirstBatchAt = -1;
    }

    /** Serializes this progress in format {@value #FORMAT_VERSION}. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeLong(version);
            out.writeLong(batches);
            out.writeLong(examplesTrained);
            out.writeLong(labeledTrained);
            out.writeLong(correctBeforeUpdate);
            out.writeLong(skippedBatches);
            out.writeLong(heldOut);
            out.writeLong(deadLetters);
            out.writeLong(lastEventTime);
            out.writeLong(pendingSince);
            out.writeLong(lastSnapshotAt);
            out.writeLong(sinceBatches);
            out.writeLong(sinceExamples);
            out.writeLong(sinceLabeled);
            out.writeLong(sinceCorrect);
            out.writeDouble(sinceLossSum);
            out.writeLong(sinceLossCount);
            out.writeDouble(sinceDeltaNormSum);
            out.writeDouble(sinceTeacherDriftSum);
            out.writeLong(sinceFirstBatchAt);
            out.writeDouble(lastDeltaNorm);
            out.writeDouble(lastTeacherDriftKl);
            out.writeDouble(lastCleanAccuracy);
            out.writeDouble(lastRobustAccuracy);
            writeOffsets(out, committedOffsets);
            writeOffsets(out, pendingOffsets);
            out.writeLong(unlabeled);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads progress written by {@link #toBytes()}.
     *
     * @throws IllegalStateException on an unknown format version or truncated bytes
     */
    public static ModelProgress fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format != FORMAT_VERSION && format != 1) {
                throw new IllegalStateException("Unknown model progress state format version " + format
                        + "; this job reads version " + FORMAT_VERSION);
            }
            ModelProgress p = new ModelProgress();
            p.version = in.readLong();
            p.batches = in.readLong();
            p.examplesTrained = in.readLong();
            p.labeledTrained = in.readLong();
            p.correctBeforeUpdate = in.readLong();
            p.skippedBatches = in.readLong();
            p.heldOut = in.readLong();
            p.deadLetters = in.readLong();
            p.lastEventTime = in.readLong();
            p.pendingSince = in.readLong();
            p.lastSnapshotAt = in.readLong();
            p.sinceBatches = in.readLong();
            p.sinceExamples = in.readLong();
            p.sinceLabeled = in.readLong();
            p.sinceCorrect = in.readLong();
            p.sinceLossSum = in.readDouble();
            p.sinceLossCount = in.readLong();
            p.sinceDeltaNormSum = in.readDouble();
            p.sinceTeacherDriftSum = in.readDouble();
            p.sinceFirstBatchAt = in.readLong();
            p.lastDeltaNorm = in.readDouble();
            p.lastTeacherDriftKl = in.readDouble();
            p.lastCleanAccuracy = in.readDouble();
            p.lastRobustAccuracy = in.readDouble();
            readOffsets(in, p.committedOffsets);
            readOffsets(in, p.pendingOffsets);
            if (format >= 2) {
                p.unlabeled = in.readLong();
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("Corrupt model progress state (" + bytes.length + " bytes): " + e, e);
        }
    }

    private static void writeOffsets(DataOutputStream out, Map<String, Map<Integer, Long>> offsets)
            throws IOException {
        out.writeInt(offsets.size());
        for (Map.Entry<String, Map<Integer, Long>> t : offsets.entrySet()) {
            out.writeUTF(t.getKey());
            out.writeInt(t.getValue().size());
            for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                out.writeInt(p.getKey());
                out.writeLong(p.getValue());
            }
        }
    }

    private static void readOffsets(DataInputStream in, Map<String, Map<Integer, Long>> into) throws IOException {
        int topics = in.readInt();
        for (int i = 0; i < topics; i++) {
            String topic = in.readUTF();
            int partitions = in.readInt();
            Map<Integer, Long> m = new TreeMap<>();
            for (int j = 0; j < partitions; j++) {
                m.put(in.readInt(), in.readLong());
            }
            into.put(topic, m);
        }
    }
}
