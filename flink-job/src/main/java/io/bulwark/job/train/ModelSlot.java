package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * The in-memory working copy of one model's keyed state: its learner, bookkeeping, pending batch, held-out
 * window and previous snapshot. The training operator writes it to keyed state only when a checkpoint is taken
 * (the dirty flags say what changed), never per batch.
 */
final class ModelSlot {

    final String modelId;
    Learner learner;
    final ModelProgress progress;
    final List<TrainingEvent> pending;
    final Deque<HeldOutEvent> heldOutWindow;
    /** Labels of pending events, reserved against the learned-label cap until the batch is trained. */
    final Set<String> pendingLabels = new HashSet<>();
    ModelSnapshot previous;
    /** Training events of candidate labels not yet seen {@code labels.min-count} times, by label (arrival order). */
    final Map<String, List<TrainingEvent>> heldBack = new LinkedHashMap<>();

    /** Learner changed since the last checkpoint. */
    boolean learnerDirty;
    /** Progress, pending batch or held-out window changed since the last checkpoint. */
    boolean dirty;
    /** Previous snapshot changed since the last checkpoint. */
    boolean previousDirty;

    /** Checkpoints that wrote this model's state (since the slot was loaded), for the checkpoint-cost gauges. */
    volatile long checkpointsWritten;
    /** Bytes those checkpoints wrote. */
    volatile long checkpointBytes;
    /** Nanoseconds the training thread spent writing them. */
    volatile long checkpointNanos;
    /** Bytes the slot holds in memory, as of its last {@link #refreshMemory()}; 0 once evicted. */
    volatile long memoryBytes;
    /** The learner's label count at the last {@link #refreshMemory()}. */
    private int memoryLabels;
    /** Processing time of the model's latest event or timer, for idle eviction. */
    long lastUsed;

    ModelSlot(String modelId, Learner learner, ModelProgress progress, List<TrainingEvent> pending,
              Deque<HeldOutEvent> heldOutWindow, ModelSnapshot previous) {
        this.modelId = modelId;
        this.learner = learner;
        this.progress = progress;
        this.pending = new ArrayList<>(pending);
        this.heldOutWindow = new ArrayDeque<>(heldOutWindow);
        this.previous = previous;
        for (TrainingEvent e : pending) {
            if (e.label != null) {
                pendingLabels.add(e.label);
            }
        }
    }

    /** Adds a held-out event, evicting the oldest beyond {@code capacity}. */
    void holdOut(HeldOutEvent e, int capacity) {
        heldOutWindow.addLast(e);
        while (heldOutWindow.size() > capacity) {
            heldOutWindow.removeFirst();
        }
    }

    /** Returns the held-out events whose label the learner knows, as examples. */
    List<Example> evaluationWindow(List<HeldOutEvent> events) {
        List<String> known = learner.labels();
        List<Example> out = new ArrayList<>(heldOutWindow.size());
        for (HeldOutEvent e : heldOutWindow) {
            if (known.contains(e.label)) {
                out.add(new Example(e.text, e.label, e.weight));
                events.add(e);
            }
        }
        return out;
    }

    /** Keeps back a training event whose label is not yet a class. */
    void holdBack(TrainingEvent e) {
        heldBack.computeIfAbsent(e.label, l -> new ArrayList<>()).add(e);
    }

    /** The held-back events, label by label, each label's in arrival order (for state). */
    List<TrainingEvent> heldBackEvents() {
        List<TrainingEvent> out = new ArrayList<>();
        heldBack.values().forEach(out::addAll);
        return out;
    }

    /** Returns the pending events as examples, in arrival order. */
    List<Example> pendingExamples() {
        List<Example> out = new ArrayList<>(pending.size());
        for (TrainingEvent e : pending) {
            out.add(new Example(e.text, e.label, e.weight));
        }
        return out;
    }

    /**
     * Recomputes {@link #memoryBytes} on the training thread: the learner's state ({@link Learner#memoryBytes})
     * plus the texts and raw records of the pending batch and the held-out events (two bytes a char).
     */
    void refreshMemory() {
        long bytes = learner == null ? 0 : learner.memoryBytes();
        for (TrainingEvent e : pending) {
            bytes += 2L * e.text.length() + (e.value == null ? 0 : e.value.length) + (e.key == null ? 0 : e.key.length);
        }
        for (HeldOutEvent e : heldOutWindow) {
            bytes += 2L * e.text.length();
        }
        for (TrainingEvent e : heldBackEvents()) {
            bytes += 2L * e.text.length() + (e.value == null ? 0 : e.value.length) + (e.key == null ? 0 : e.key.length);
        }
        memoryBytes = bytes;
        memoryLabels = learner == null ? 0 : learner.labels().size();
    }

    /** Refreshes {@link #memoryBytes} when the learner's label set grew (its output layer with it). */
    void refreshMemoryIfLabelsChanged() {
        if (learner != null && learner.labels().size() != memoryLabels) {
            refreshMemory();
        }
    }

    /** Continues the checkpoint counters of the slot this one replaces after an eviction. */
    void takeCountersFrom(ModelSlot before) {
        checkpointsWritten = before.checkpointsWritten;
        checkpointBytes = before.checkpointBytes;
        checkpointNanos = before.checkpointNanos;
    }

    /**
     * Drops what this slot holds once its state is written (eviction): the learner's native memory, the events and
     * the previous snapshot. The progress stays, for the gauges.
     */
    void evict() {
        close();
        pending.clear();
        pendingLabels.clear();
        heldOutWindow.clear();
        heldBack.clear();
        previous = null;
        memoryBytes = 0;
    }

    /** Releases the learner's native memory. */
    void close() {
        if (learner != null) {
            learner.close();
            learner = null;
        }
    }
}
