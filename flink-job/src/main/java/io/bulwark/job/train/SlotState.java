package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.SnapshotFiles;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyed state of the training operator, one entry per model id: the learner's checkpoint, the progress
 * bookkeeping, the pending batch, the held-out window, the previous snapshot and the captured versions whose
 * records were not emitted yet (their evaluation was in flight). Reads a {@link ModelSlot}
 * back (a new one when the key has no state) and writes what changed since the last checkpoint. The current key is
 * the caller's: the operator sets it before each call.
 */
final class SlotState {

    // Logs as the operator, whose logger names the model lifecycle in log configurations and tests.
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);

    /** The learner's captured state ({@link LearnerStateSerializer}), encoded when the checkpoint is written. */
    static final String LEARNER = "learner-state";
    /**
     * The learner's checkpoint bytes as written before the capture was encoded asynchronously; read when
     * {@link #LEARNER} is empty, so state written by earlier versions of the job still restores, and cleared at the
     * next write.
     */
    static final String LEARNER_BYTES = "learner";
    static final String PROGRESS = "progress";
    static final String PENDING = "pending-batch";
    static final String HELD_OUT_WINDOW = "held-out";
    /** The previous version's snapshot ({@link SnapshotStateSerializer}), encoded when the checkpoint is written. */
    static final String PREVIOUS = "previous";
    /** The previous snapshot as file bytes, as earlier versions of the job wrote it; read when {@link #PREVIOUS} is empty. */
    static final String PREVIOUS_BYTES = "previous-snapshot";
    static final String EVALUATIONS = "pending-evaluations";
    static final String HELD_BACK = "held-back-labels";

    /** Opens keyed state handles by descriptor (the operator's {@code getPartitionedState}). */
    interface StateAccess {
        <S extends State> S get(StateDescriptor<S, ?> descriptor) throws Exception;
    }

    private final ValueState<CheckpointData> learnerState;
    private final ValueState<byte[]> legacyLearnerState;
    private final ValueState<byte[]> progressState;
    private final ListState<TrainingEvent> pendingState;
    private final ListState<HeldOutEvent> windowState;
    private final ListState<TrainingEvent> heldBackState;
    private final ValueState<ModelSnapshot> previousState;
    private final ValueState<byte[]> legacyPreviousState;
    private final ValueState<byte[]> evaluationsState;

    SlotState(StateAccess access) throws Exception {
        TypeInformation<byte[]> bytes = PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        learnerState = access.get(new ValueStateDescriptor<>(LEARNER, LearnerStateSerializer.INSTANCE));
        legacyLearnerState = access.get(new ValueStateDescriptor<>(LEARNER_BYTES, bytes));
        progressState = access.get(new ValueStateDescriptor<>(PROGRESS, bytes));
        previousState = access.get(new ValueStateDescriptor<>(PREVIOUS, SnapshotStateSerializer.INSTANCE));
        legacyPreviousState = access.get(new ValueStateDescriptor<>(PREVIOUS_BYTES, bytes));
        evaluationsState = access.get(new ValueStateDescriptor<>(EVALUATIONS, bytes));
        pendingState = access.get(new ListStateDescriptor<>(PENDING, TypeInformation.of(TrainingEvent.class)));
        windowState = access.get(new ListStateDescriptor<>(HELD_OUT_WINDOW, TypeInformation.of(HeldOutEvent.class)));
        heldBackState = access.get(new ListStateDescriptor<>(HELD_BACK, TypeInformation.of(TrainingEvent.class)));
    }

    /** Reads the current key's model, or starts a new one with {@code config} on {@code device}. */
    ModelSlot load(String modelId, LearnerConfig config, String device, long now) throws Exception {
        byte[] progressBytes = progressState.value();
        if (progressBytes == null) {
            ModelSlot slot = new ModelSlot(modelId, DjlLock.locked(() -> Learner.create(config, device)),
                    ModelProgress.start(now), List.of(), new ArrayDeque<>(), null);
            slot.dirty = true;
            slot.learnerDirty = true;
            LOG.info("New model '{}' on {}", modelId, slot.learner.device());
            return slot;
        }
        CheckpointData captured = learnerState.value();
        byte[] learnerBytes = captured == null ? legacyLearnerState.value() : null;
        Learner learner = DjlLock.locked(() -> captured != null ? Learner.restore(captured, device)
                : learnerBytes != null ? Learner.restore(learnerBytes, device)
                : Learner.create(config, device));
        List<TrainingEvent> pending = new ArrayList<>();
        Iterable<TrainingEvent> storedPending = pendingState.get();
        if (storedPending != null) {
            storedPending.forEach(pending::add);
        }
        ArrayDeque<HeldOutEvent> window = new ArrayDeque<>();
        Iterable<HeldOutEvent> storedWindow = windowState.get();
        if (storedWindow != null) {
            storedWindow.forEach(window::add);
        }
        ModelSnapshot previous = previousState.value();
        if (previous == null) {
            byte[] previousBytes = legacyPreviousState.value();
            previous = previousBytes == null ? null : SnapshotFiles.fromBytes(previousBytes);
        }
        ModelSlot slot = new ModelSlot(modelId, learner, ModelProgress.fromBytes(progressBytes), pending, window,
                previous);
        Iterable<TrainingEvent> storedHeldBack = heldBackState.get();
        if (storedHeldBack != null) {
            storedHeldBack.forEach(slot::holdBack);
        }
        LOG.info("Restored model '{}': version {}, {} batches, {} pending events, {} held out, {} held back for "
                + "candidate labels {}, on {}", modelId, slot.progress.version, slot.progress.batches, pending.size(),
                window.size(), slot.heldBackEvents().size(), slot.heldBack.keySet(), learner.device());
        return slot;
    }

    /**
     * Writes what changed in the current key's slot, and its versions in flight when {@code evaluations} is not
     * null; returns the bytes of the learner checkpoint, progress, previous snapshot and versions written (the
     * pending batch and the held-out window, small lists, are not counted) and adds them, with the time taken, to the
     * slot's checkpoint counters. The learner's share is the size of its captured arrays: it is encoded later, by the
     * state backend.
     */
    long write(ModelSlot slot, List<EvaluationRequest> evaluations) throws Exception {
        long start = System.nanoTime();
        long written = writeSlot(slot) + (evaluations == null ? 0 : writeEvaluations(evaluations));
        slot.checkpointNanos += System.nanoTime() - start;
        slot.checkpointBytes += written;
        slot.checkpointsWritten++;
        return written;
    }

    /**
     * Writes what changed in the current key's slot, outside a checkpoint (before the slot is evicted from memory);
     * returns the bytes written as {@link #write} counts them.
     */
    long flush(ModelSlot slot) throws Exception {
        return writeSlot(slot);
    }

    private long writeSlot(ModelSlot slot) throws Exception {
        long written = 0;
        if (slot.learnerDirty) {
            // Only the copy is taken here; the state backend encodes it when it writes the checkpoint.
            CheckpointData captured = DjlLock.locked(slot.learner::captureCheckpoint);
            written += captured.arrayBytes();
            learnerState.update(captured);
            legacyLearnerState.clear();
            slot.learnerDirty = false;
        }
        if (slot.dirty) {
            byte[] progress = slot.progress.toBytes();
            written += progress.length;
            progressState.update(progress);
            pendingState.update(new ArrayList<>(slot.pending));
            windowState.update(new ArrayList<>(slot.heldOutWindow));
            heldBackState.update(slot.heldBackEvents());
            slot.dirty = false;
        }
        if (slot.previousDirty) {
            // Stored as is; the state backend encodes it when it writes the checkpoint.
            written += payloadBytes(slot.previous);
            previousState.update(slot.previous);
            legacyPreviousState.clear();
            slot.previousDirty = false;
        }
        return written;
    }

    /** Bytes of a snapshot's student and teacher parameters: about the size of its snapshot file. */
    private static long payloadBytes(ModelSnapshot snapshot) {
        if (snapshot == null) {
            return 0;
        }
        long n = snapshot.getPayload().getBytes().remaining();
        return snapshot.getTeacherPayload() == null ? n : n + snapshot.getTeacherPayload().getBytes().remaining();
    }

    /** Reads the current key's captured versions that were still being evaluated, oldest first. */
    List<EvaluationRequest> readEvaluations() throws Exception {
        byte[] bytes = evaluationsState.value();
        return bytes == null ? List.of() : EvaluationRequest.fromBytes(bytes);
    }

    /** Writes the current key's captured versions still being evaluated; returns the bytes written. */
    long writeEvaluations(List<EvaluationRequest> requests) throws Exception {
        if (requests.isEmpty()) {
            evaluationsState.clear();
            return 0;
        }
        byte[] bytes = EvaluationRequest.toBytes(requests);
        evaluationsState.update(bytes);
        return bytes.length;
    }
}
