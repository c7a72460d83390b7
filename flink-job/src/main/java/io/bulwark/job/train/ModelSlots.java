package io.bulwark.job.train;

import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.model.LearnerConfig;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The models of one training subtask that are in memory, loaded from keyed state on first use and evicted again
 * after {@code model.idle-eviction} without events.
 *
 * <p>Eviction writes what changed in the model's slot to keyed state (as a checkpoint would), releases its learner
 * and drops it; the next event or timer of the model reads it back ({@link SlotState#load}), and since the learner's
 * checkpoint resumes bit for bit, training goes on exactly as if the model had stayed. A model whose captured
 * versions still wait for their evaluation stays until they are emitted. The writes are keyed-state updates like
 * any other: a failure before the next checkpoint rolls them back together with the input offsets.
 *
 * <p>Per-model gauges are registered once per model and follow its current slot, so they survive evictions; an
 * evicted model reports its last progress and a memory of 0.
 */
final class ModelSlots {

    // Logs as the operator, whose logger names the model lifecycle in log configurations and tests.
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);

    /** Sets the keyed-state backend's current key (the operator's {@code setCurrentKey}). */
    interface KeyContext {
        void setCurrentKey(String modelId);
    }

    private final SlotState state;
    private final LearnerConfig config;
    private final String device;
    private final MetricGroup metrics;
    private final long idleEvictionMs;
    private final Map<String, ModelSlot> resident = new ConcurrentHashMap<>();
    /** The slot each model's gauges read: the resident one, or the last one before its eviction. */
    private final Map<String, AtomicReference<ModelSlot>> gauged = new ConcurrentHashMap<>();
    private volatile long evictions;

    ModelSlots(SlotState state, LearnerConfig config, String device, MetricGroup metrics, long idleEvictionMs) {
        this.state = state;
        this.config = config;
        this.device = device;
        this.metrics = metrics;
        this.idleEvictionMs = idleEvictionMs;
        metrics.gauge(BulwarkMetrics.MODELS_IN_MEMORY, (Gauge<Integer>) resident::size);
        metrics.gauge(BulwarkMetrics.MODEL_EVICTIONS, (Gauge<Long>) () -> evictions);
        metrics.gauge(BulwarkMetrics.MEMORY_BYTES, (Gauge<Long>) () ->
                resident.values().stream().mapToLong(s -> s.memoryBytes).sum());
    }

    /**
     * The model's slot, read from keyed state (or new) when it is not in memory; marks it used at {@code now}. The
     * current key must be {@code modelId}.
     */
    ModelSlot get(String modelId, long now) throws Exception {
        ModelSlot slot = resident.get(modelId);
        if (slot == null) {
            slot = state.load(modelId, config, device, now);
            slot.refreshMemory();
            resident.put(modelId, slot);
            AtomicReference<ModelSlot> current = gauged.get(modelId);
            if (current == null) {
                current = new AtomicReference<>(slot);
                gauged.put(modelId, current);
                registerGauges(metrics.addGroup(BulwarkMetrics.MODEL_GROUP, modelId), current);
            } else {
                slot.takeCountersFrom(current.get());
                current.set(slot);
            }
        }
        slot.lastUsed = now;
        return slot;
    }

    /** The model's slot if it is in memory, else null. */
    ModelSlot resident(String modelId) {
        return resident.get(modelId);
    }

    /** The slots in memory. */
    Collection<ModelSlot> resident() {
        return resident.values();
    }

    /** The models whose gauges exist: in memory now or since this subtask started. */
    Collection<ModelSlot> known() {
        List<ModelSlot> out = new ArrayList<>();
        for (AtomicReference<ModelSlot> current : gauged.values()) {
            out.add(current.get());
        }
        return out;
    }

    /** Whether eviction is on. */
    boolean evicts() {
        return idleEvictionMs > 0;
    }

    /** How often idle models are looked for, ms: half the idle time, so a model goes within 1.5 times it. */
    long sweepIntervalMs() {
        return Math.max(1, idleEvictionMs / 2);
    }

    /**
     * Evicts the models unused for at least the idle time at {@code now}, except those {@code busy} names; returns
     * how many went.
     */
    int evictIdle(long now, Predicate<String> busy, KeyContext keys) throws Exception {
        if (!evicts()) {
            return 0;
        }
        int evicted = 0;
        for (ModelSlot slot : List.copyOf(resident.values())) {
            if (now - slot.lastUsed < idleEvictionMs || busy.test(slot.modelId)) {
                continue;
            }
            keys.setCurrentKey(slot.modelId);
            long bytes = state.flush(slot);
            DjlLock.locked(slot::evict);
            resident.remove(slot.modelId);
            evicted++;
            LOG.info("Evicted model '{}' after {} ms without events (version {}, {} state bytes written)",
                    slot.modelId, now - slot.lastUsed, slot.progress.version, bytes);
        }
        evictions += evicted;
        return evicted;
    }

    /** Releases every learner; the slots stay so that the gauges keep their last values. */
    void closeAll() {
        for (ModelSlot slot : resident.values()) {
            DjlLock.locked(slot::close);
        }
    }

    private static void registerGauges(MetricGroup g, AtomicReference<ModelSlot> current) {
        g.gauge(BulwarkMetrics.MODEL_VERSION, (Gauge<Long>) () -> current.get().progress.version);
        g.gauge(BulwarkMetrics.EXAMPLES_TRAINED, (Gauge<Long>) () -> current.get().progress.examplesTrained);
        g.gauge(BulwarkMetrics.BATCHES, (Gauge<Long>) () -> current.get().progress.batches);
        g.gauge(BulwarkMetrics.PREQUENTIAL_ACCURACY, (Gauge<Double>) () -> current.get().progress.prequentialAccuracy());
        g.gauge(BulwarkMetrics.CLEAN_ACCURACY, (Gauge<Double>) () -> current.get().progress.lastCleanAccuracy);
        g.gauge(BulwarkMetrics.ROBUST_ACCURACY, (Gauge<Double>) () -> current.get().progress.lastRobustAccuracy);
        g.gauge(BulwarkMetrics.DELTA_NORM, (Gauge<Double>) () -> current.get().progress.lastDeltaNorm);
        g.gauge(BulwarkMetrics.TEACHER_DRIFT_KL, (Gauge<Double>) () -> current.get().progress.lastTeacherDriftKl);
        g.gauge(BulwarkMetrics.SKIPPED_BATCHES, (Gauge<Long>) () -> current.get().progress.skippedBatches);
        g.gauge(BulwarkMetrics.CHECKPOINTS_WRITTEN, (Gauge<Long>) () -> current.get().checkpointsWritten);
        g.gauge(BulwarkMetrics.CHECKPOINT_BYTES, (Gauge<Long>) () -> current.get().checkpointBytes);
        g.gauge(BulwarkMetrics.CHECKPOINT_MILLIS, (Gauge<Long>) () -> current.get().checkpointNanos / 1_000_000);
        g.gauge(BulwarkMetrics.MEMORY_BYTES, (Gauge<Long>) () -> current.get().memoryBytes);
        g.gauge(BulwarkMetrics.LAG_MS, (Gauge<Long>) () -> {
            long last = current.get().progress.lastEventTime;
            return last == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - last;
        });
    }
}
