package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The in-memory working copy of one model's keyed state: its learner, bookkeeping, pending batch, held-out
 * reservoir and previous snapshot. The training operator writes it to keyed state only when a checkpoint is taken
 * (the dirty flags say what changed), never per batch.
 */
final class ModelSlot {

    final String modelId;
    Learner learner;
    final ModelProgress progress;
    final List<TrainingEvent> pending;
    final Deque<HeldOutEvent> reservoir;
    /** Labels of pending events, reserved against the learned-label cap until the batch is trained. */
    final Set<String> pendingLabels = new HashSet<>();
    ModelSnapshot previous;

    /** Learner changed since the last checkpoint. */
    boolean learnerDirty;
    /** Progress, pending batch or reservoir changed since the last checkpoint. */
    boolean dirty;
    /** Previous snapshot changed since the last checkpoint. */
    boolean previousDirty;

    /** Checkpoints that wrote this model's state (since the slot was loaded), for the checkpoint-cost gauges. */
    volatile long checkpointsWritten;
    /** Bytes those checkpoints wrote. */
    volatile long checkpointBytes;
    /** Nanoseconds the training thread spent writing them. */
    volatile long checkpointNanos;

    ModelSlot(String modelId, Learner learner, ModelProgress progress, List<TrainingEvent> pending,
              Deque<HeldOutEvent> reservoir, ModelSnapshot previous) {
        this.modelId = modelId;
        this.learner = learner;
        this.progress = progress;
        this.pending = new ArrayList<>(pending);
        this.reservoir = new ArrayDeque<>(reservoir);
        this.previous = previous;
        for (TrainingEvent e : pending) {
            if (e.label != null) {
                pendingLabels.add(e.label);
            }
        }
    }

    /** Adds a held-out event, evicting the oldest beyond {@code capacity}. */
    void holdOut(HeldOutEvent e, int capacity) {
        reservoir.addLast(e);
        while (reservoir.size() > capacity) {
            reservoir.removeFirst();
        }
    }

    /** Returns the held-out events whose label the learner knows, as examples. */
    List<Example> evaluationWindow(List<HeldOutEvent> events) {
        List<String> known = learner.labels();
        List<Example> out = new ArrayList<>(reservoir.size());
        for (HeldOutEvent e : reservoir) {
            if (known.contains(e.label)) {
                out.add(new Example(e.text, e.label, e.weight));
                events.add(e);
            }
        }
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

    /** Registers the per-model gauges in {@code g} (the model's metric subgroup). */
    void registerGauges(MetricGroup g) {
        ModelProgress p = progress;
        g.gauge(BulwarkMetrics.MODEL_VERSION, (Gauge<Long>) () -> p.version);
        g.gauge(BulwarkMetrics.EXAMPLES_TRAINED, (Gauge<Long>) () -> p.examplesTrained);
        g.gauge(BulwarkMetrics.BATCHES, (Gauge<Long>) () -> p.batches);
        g.gauge(BulwarkMetrics.PREQUENTIAL_ACCURACY, (Gauge<Double>) p::prequentialAccuracy);
        g.gauge(BulwarkMetrics.CLEAN_ACCURACY, (Gauge<Double>) () -> p.lastCleanAccuracy);
        g.gauge(BulwarkMetrics.ROBUST_ACCURACY, (Gauge<Double>) () -> p.lastRobustAccuracy);
        g.gauge(BulwarkMetrics.DELTA_NORM, (Gauge<Double>) () -> p.lastDeltaNorm);
        g.gauge(BulwarkMetrics.TEACHER_DRIFT_KL, (Gauge<Double>) () -> p.lastTeacherDriftKl);
        g.gauge(BulwarkMetrics.SKIPPED_BATCHES, (Gauge<Long>) () -> p.skippedBatches);
        g.gauge(BulwarkMetrics.CHECKPOINTS_WRITTEN, (Gauge<Long>) () -> checkpointsWritten);
        g.gauge(BulwarkMetrics.CHECKPOINT_BYTES, (Gauge<Long>) () -> checkpointBytes);
        g.gauge(BulwarkMetrics.CHECKPOINT_MILLIS, (Gauge<Long>) () -> checkpointNanos / 1_000_000);
        g.gauge(BulwarkMetrics.LAG_MS, (Gauge<Long>) () ->
                p.lastEventTime == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - p.lastEventTime);
    }

    /** Releases the learner's native memory. */
    void close() {
        if (learner != null) {
            learner.close();
            learner = null;
        }
    }
}
