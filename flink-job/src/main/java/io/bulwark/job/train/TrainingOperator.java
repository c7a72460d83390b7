package io.bulwark.job.train;

import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.DeadLetterCounters;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.validate.EventValidator;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.StepResult;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps one continually trained {@link Learner} per model id (the key) and publishes its snapshots and robustness
 * reports.
 *
 * <p>Per event: an unlabeled event is counted ({@code eventsUnlabeled}) and dropped unless the learner trains on
 * unlabeled events (its VAT/ALUM term: {@code smart.weight} > 0 with {@code smart.vatOnUnlabeled}), so that
 * {@code examplesTrained} counts only events that reach a gradient; a label outside the fixed set, or new while the
 * learned set is full, goes to the dead-letter side output; a held-out fraction of labeled events (by hash of model
 * and event id) goes to the model's held-out window, its {@code heldout.window-size} most recent held-out events,
 * never trained on; the rest join the model's pending batch. A batch is trained when it is full, when its first
 * event has waited {@code batch.timeout} (a processing-time timer), or at the end of a bounded
 * input. Training is prequential: the learner scores each batch before updating on it. Every
 * {@code snapshot.every-batches} batches or {@code snapshot.interval} the operator captures a snapshot of the model
 * and hands it, with the held-out window, to two threads ({@link AsyncEvaluator}): one encodes the ModelSnapshot for
 * the versions topic and the compacted latest topic, the other evaluates a learner loaded from the snapshot (clean, under
 * embedding-space PGD, drift, attack suite) for its RobustnessReport, so training goes on meanwhile. The operator
 * emits the records as they are ready, in version order. Versions whose records were not all emitted before a
 * checkpoint's barrier are part of that checkpoint and are finished after a restore: each record is published once.
 *
 * <p>State: learners live in memory and are written to keyed state only in {@link #snapshotState}, and only when
 * they changed, because serializing a model per batch would dominate the training time. The training thread only
 * copies the learner's arrays ({@code learner.captureCheckpoint()}); the state backend encodes the copy when it
 * writes the checkpoint ({@link LearnerStateSerializer}), asynchronously with the heap backend. After a restore, each model is read back from state the first time its key is seen, and so is a
 * model evicted from memory after {@code model.idle-eviction} without events ({@link ModelSlots}). Together
 * with the Kafka source's checkpointed offsets this makes recovery exact: no event is trained twice or skipped.
 */
public final class TrainingOperator extends AbstractStreamOperator<Publication>
        implements OneInputStreamOperator<TrainingEvent, Publication>, BoundedOneInput,
        Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);
    /** How often finished evaluations are looked for while versions are in flight, ms. */
    private static final long POLL_MS = 20;

    /** Side output of events whose label is rejected. */
    public static final OutputTag<Rejected> DEAD_LETTERS = EventValidator.DEAD_LETTERS;

    /** Keyed state holding the learner checkpoint bytes. */
    static final String LEARNER_STATE = SlotState.LEARNER;
    /** Keyed state holding {@link ModelProgress} bytes. */
    static final String PROGRESS_STATE = SlotState.PROGRESS;

    private final TrainerSettings settings;

    private transient LearnerConfig config;
    private transient String device;
    private transient DeviceSelector.Lease deviceLease;
    /** Test seam: runs on the evaluation thread before each evaluation (null in production). */
    private final AsyncEvaluator.Hook evaluationHook;

    private transient AsyncEvaluator evaluator;
    private transient boolean pollScheduled;
    private transient boolean inputEnded;
    private transient SlotState state;
    private transient LabelAdmission labels;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient ModelSlots slots;

    private transient boolean restored;
    private transient FaultInjector faults;

    private transient MetricGroup metricGroup;
    private transient Counter examplesTrained;
    private transient Counter heldOutCounter;
    private transient Counter unlabeledCounter;
    private transient boolean trainsUnlabeled;
    private transient Counter batchCounter;
    private transient Counter skippedCounter;
    private transient Counter snapshotCounter;
    private transient Counter evaluationsSkipped;
    private transient DeadLetterCounters deadLetters;
    private transient volatile double lastDeltaNorm;
    private transient volatile double lastTeacherDrift;
    private transient volatile double lastRobustAccuracy;
    private transient volatile long highestVersion;
    private transient volatile int inFlight;

    /** Creates the operator. */
    public TrainingOperator(TrainerSettings settings) {
        this(settings, null);
    }

    /** Creates the operator with a hook that runs before each evaluation (tests). */
    TrainingOperator(TrainerSettings settings, AsyncEvaluator.Hook evaluationHook) {
        this.settings = settings;
        this.evaluationHook = evaluationHook;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        DjlClasspath.require(TrainingOperator.class.getClassLoader());
        config = settings.learnerConfig();
        labels = new LabelAdmission(config, settings.labelMinCount());
        deviceLease = DeviceSelector.acquire(settings.device(),
                getRuntimeContext().getExternalResourceInfos(settings.gpuResource()));
        device = deviceLease.device();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        faults = new FaultInjector(settings.failAfterBatches(), attempt);
        DjlLock.setIntraOpThreads(settings.intraOpThreads());
        LOG.info("Training on device {} (option '{}', external resource '{}'), subtask {}, attempt {}, restored {}",
                device, settings.device(), settings.gpuResource(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), attempt, restored);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        evaluator = new AsyncEvaluator(new SnapshotEvaluator(settings, settings.attack(config), device),
                evaluationHook, "bulwark-evaluator-" + subtask);
        state = new SlotState(this::getPartitionedState);
        timers = getInternalTimerService("batch-timeout", VoidNamespaceSerializer.INSTANCE, this);

        metricGroup = getMetricGroup().addGroup(BulwarkMetrics.GROUP);
        slots = new ModelSlots(state, config, device, metricGroup, settings.idleEvictionMs());
        examplesTrained = metricGroup.counter(BulwarkMetrics.EXAMPLES_TRAINED);
        metricGroup.meter(BulwarkMetrics.EXAMPLES_PER_SECOND, new MeterView(examplesTrained));
        heldOutCounter = metricGroup.counter(BulwarkMetrics.EVENTS_HELD_OUT);
        unlabeledCounter = metricGroup.counter(BulwarkMetrics.EVENTS_UNLABELED);
        trainsUnlabeled = config.smartWeight() > 0 && config.vatOnUnlabeled();
        batchCounter = metricGroup.counter(BulwarkMetrics.BATCHES);
        skippedCounter = metricGroup.counter(BulwarkMetrics.SKIPPED_BATCHES);
        snapshotCounter = metricGroup.counter(BulwarkMetrics.SNAPSHOTS);
        deadLetters = new DeadLetterCounters(metricGroup);
        lastRobustAccuracy = Double.NaN;
        metricGroup.gauge(BulwarkMetrics.MODEL_VERSION, (Gauge<Long>) () -> highestVersion);
        metricGroup.gauge(BulwarkMetrics.PREQUENTIAL_ACCURACY, (Gauge<Double>) this::prequentialAccuracy);
        metricGroup.gauge(BulwarkMetrics.ROBUST_ACCURACY, (Gauge<Double>) () -> lastRobustAccuracy);
        metricGroup.gauge(BulwarkMetrics.DELTA_NORM, (Gauge<Double>) () -> lastDeltaNorm);
        metricGroup.gauge(BulwarkMetrics.TEACHER_DRIFT_KL, (Gauge<Double>) () -> lastTeacherDrift);
        evaluationsSkipped = metricGroup.counter(BulwarkMetrics.EVALUATIONS_SKIPPED);
        metricGroup.gauge(BulwarkMetrics.EVALUATIONS_IN_FLIGHT, (Gauge<Integer>) () -> inFlight);
        if (restored) {
            resubmitEvaluations();
        }
        scheduleEviction();
    }

    /** Every half {@code model.idle-eviction}, evicts the models idle that long whose versions are all out. */
    private void scheduleEviction() {
        if (!slots.evicts()) {
            return;
        }
        ProcessingTimeService time = getProcessingTimeService();
        time.registerTimer(time.getCurrentProcessingTime() + slots.sweepIntervalMs(), t -> {
            emitEvaluated(evaluator.completed());
            slots.evictIdle(now(), id -> !evaluator.pending(id).isEmpty(), this::setCurrentKey);
            scheduleEviction();
        });
    }

    /** Queues again the captured versions whose records were not emitted before the restored checkpoint. */
    private void resubmitEvaluations() throws Exception {
        List<String> keys;
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stored = backend.getKeys(SlotState.EVALUATIONS, VoidNamespace.INSTANCE)) {
            keys = stored.sorted().collect(Collectors.toList());
        }
        for (String key : keys) {
            setCurrentKey(key);
            List<EvaluationRequest> requests = state.readEvaluations();
            requests.forEach(r -> evaluator.submit(r, true));
            if (!requests.isEmpty()) {
                LOG.info("Model '{}': {} captured version(s) from the checkpoint queued for evaluation again ({})",
                        key, requests.size(), requests);
            }
        }
        inFlight = evaluator.size();
        schedulePoll();
    }

    @Override
    public void processElement(StreamRecord<TrainingEvent> element) throws Exception {
        emitEvaluated(evaluator.completed());
        TrainingEvent e = element.getValue();
        String modelId = (String) getCurrentKey();
        long now = now();
        ModelSlot slot = slot(modelId, now);
        ModelProgress p = slot.progress;
        p.lastEventTime = Math.max(p.lastEventTime, e.eventTime);
        p.consumed(e.topic, e.partition, e.offset);
        slot.dirty = true;

        if (e.label == null && !trainsUnlabeled) {
            // No gradient would use it: counted as unlabeled, not as trained, and not put in a batch.
            p.unlabeled++;
            unlabeledCounter.inc();
            commitIfNothingPending(slot);
            return;
        }
        boolean heldOut = e.label != null
                && HeldOutSelector.isHeldOut(modelId, e.id, settings.heldOutFraction());
        LabelAdmission.Decision d = e.label == null ? LabelAdmission.Decision.ACCEPT
                : labels.decide(slot, e.label, !heldOut);
        if (d == LabelAdmission.Decision.REJECT) {
            deadLetter(slot, e, labels.rejection(slot, e), now);
        } else if (heldOut) {
            p.heldOut++;
            heldOutCounter.inc();
            slot.holdOut(HeldOutEvent.of(e.text, e.label, e.weight, e.eventTime), settings.heldOutWindow());
        } else if (d == LabelAdmission.Decision.HOLD_BACK) {
            slot.holdBack(e); // consumed: kept in state until its label qualifies
        } else {
            // A label that just qualified brings its held-back events first, in arrival order.
            List<TrainingEvent> released = e.label == null ? null : slot.heldBack.remove(e.label);
            for (TrainingEvent r : released == null ? List.<TrainingEvent>of() : released) {
                enqueue(slot, r, now);
            }
            enqueue(slot, e, now);
            return;
        }
        commitIfNothingPending(slot);
    }

    private void enqueue(ModelSlot slot, TrainingEvent e, long now) {
        slot.pending.add(e);
        if (slot.pending.size() == 1 && settings.batchTimeoutMs() > 0) {
            slot.progress.pendingSince = now;
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, now + settings.batchTimeoutMs());
        }
        if (slot.pending.size() >= settings.batchSize()) {
            trainPending(slot, now);
        }
    }

    private void deadLetter(ModelSlot slot, TrainingEvent e, String detail, long now) {
        slot.progress.deadLetters++;
        slot.dirty = true;
        deadLetters.inc(DeadLetterReason.UNKNOWN_LABEL);
        output.collect(DEAD_LETTERS, new StreamRecord<>(Rejected.of(DeadLetterReason.UNKNOWN_LABEL, detail,
                e.topic, e.partition, e.offset, e.key, e.value, now)));
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        long now = now();
        ModelSlot slot = slot(timer.getKey(), now);
        ModelProgress p = slot.progress;
        if (!slot.pending.isEmpty() && p.pendingSince >= 0
                && timer.getTimestamp() >= p.pendingSince + settings.batchTimeoutMs()) {
            trainPending(slot, now);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // Batches close on processing time only.
    }

    @Override
    public void endInput() throws Exception {
        inputEnded = true;
        Set<String> keys = new TreeSet<>();
        slots.resident().forEach(s -> keys.add(s.modelId));
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stored = backend.getKeys(PROGRESS_STATE, VoidNamespace.INSTANCE)) {
            stored.forEach(keys::add);
        }
        long now = now();
        for (String key : keys) {
            setCurrentKey(key);
            ModelSlot slot = slot(key, now);
            // Labels that never reached labels.min-count: their events leave as dead letters.
            for (List<TrainingEvent> never : List.copyOf(slot.heldBack.values())) {
                never.forEach(e -> deadLetter(slot, e, labels.neverQualified(slot, e, never.size()), now));
            }
            slot.heldBack.clear();
            if (!slot.pending.isEmpty()) {
                trainPending(slot, now);
            }
            if (slot.progress.sinceBatches > 0) {
                publish(slot, now);
            }
        }
        emitEvaluated(evaluator.awaitAll());
        LOG.info("End of input: flushed and published {} model(s)", keys.size());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        // Records of evaluated versions go out before the barrier; the rest are written to state below.
        emitEvaluated(evaluator.completed());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long bytes = 0;
        int written = 0;
        Set<String> evaluationsChanged = evaluator.takeChanged();
        for (ModelSlot slot : slots.resident()) {
            boolean requests = evaluationsChanged.remove(slot.modelId);
            if (!(slot.learnerDirty || slot.dirty || slot.previousDirty || requests)) {
                continue;
            }
            setCurrentKey(slot.modelId);
            bytes += state.write(slot, requests ? evaluator.pending(slot.modelId) : null);
            written++;
        }
        for (String modelId : evaluationsChanged) {
            // Restored versions of a model not loaded since: their records were emitted.
            setCurrentKey(modelId);
            bytes += state.writeEvaluations(evaluator.pending(modelId));
        }
        LOG.debug("Checkpoint {}: wrote {} model(s), {} bytes", context.getCheckpointId(), written, bytes);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        faults.checkpointCompleted();
    }

    @Override
    public void close() throws Exception {
        if (slots != null) {
            slots.closeAll();
        }
        if (evaluator != null) {
            evaluator.close();
        }
        if (deviceLease != null) {
            deviceLease.close();
        }
        super.close();
    }

    // ---- model slots ---------------------------------------------------------------------------------------

    private ModelSlot slot(String modelId, long now) throws Exception {
        ModelSlot slot = slots.get(modelId, now);
        highestVersion = Math.max(highestVersion, slot.progress.version);
        return slot;
    }

    /** With no batch pending, every consumed event is reflected in the model: advance its offsets now. */
    private static void commitIfNothingPending(ModelSlot slot) {
        if (slot.pending.isEmpty()) {
            slot.progress.commitOffsets();
        }
    }

    // ---- training --------------------------------------------------------------------------------------------

    private void trainPending(ModelSlot slot, long now) {
        ModelProgress p = slot.progress;
        if (p.pendingSince >= 0 && settings.batchTimeoutMs() > 0) {
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, p.pendingSince + settings.batchTimeoutMs());
        }
        if (p.sinceFirstBatchAt < 0) {
            p.sinceFirstBatchAt = now;
        }
        List<Example> batch = slot.pendingExamples();
        StepResult r = DjlLock.locked(() -> slot.learner.train(batch));

        p.recordBatch(r);
        if (r.skipped()) {
            skippedCounter.inc();
        }
        p.commitOffsets();
        p.pendingSince = -1;
        slot.pending.clear();
        slot.pendingLabels.clear();
        slot.learnerDirty = true;
        slot.dirty = true;
        slot.refreshMemoryIfLabelsChanged();

        examplesTrained.inc(r.examples());
        batchCounter.inc();
        lastDeltaNorm = r.deltaNorm();
        lastTeacherDrift = r.teacherDriftKl();
        faults.afterBatch();

        boolean byCount = settings.snapshotEveryBatches() > 0 && p.sinceBatches >= settings.snapshotEveryBatches();
        boolean byTime = settings.snapshotIntervalMs() > 0 && now - p.lastSnapshotAt >= settings.snapshotIntervalMs();
        if (byCount || byTime) {
            publish(slot, now);
        }
    }

    // ---- snapshots and reports ---------------------------------------------------------------------------------

    /**
     * Captures the slot's next version and queues it for evaluation; its records are emitted when the evaluation is
     * done ({@link #emitEvaluated}), in capture order. Versions taken at the end of a bounded input are always
     * evaluated: no training waits for them.
     */
    private void publish(ModelSlot slot, long now) {
        boolean finalVersion = inputEnded;
        long version = slot.progress.version + 1;
        boolean due = finalVersion || version % settings.evalEverySnapshots() == 0;
        boolean evaluate = finalVersion
                || due && evaluator.evaluationsInFlight() < settings.evalMaxPending();
        if (due && !evaluate) {
            evaluationsSkipped.inc();
            LOG.info("Model '{}' v{} is published without a robustness evaluation: {} evaluation(s) in flight "
                    + "(eval.max-pending={})", slot.modelId, version, evaluator.evaluationsInFlight(),
                    settings.evalMaxPending());
        }
        evaluator.submit(SnapshotCapture.capture(slot, now, now(), evaluate), false);
        slot.refreshMemory();
        inFlight = evaluator.size();
        snapshotCounter.inc();
        highestVersion = Math.max(highestVersion, slot.progress.version);
        schedulePoll();
    }

    /** Emits finished snapshot and report records, and the reports' accuracies to the gauges. */
    private void emitEvaluated(List<AsyncEvaluator.Emission> emissions) {
        for (AsyncEvaluator.Emission e : emissions) {
            for (Publication publication : e.records()) {
                output.collect(new StreamRecord<>(publication));
            }
            SnapshotEvaluator.Result r = e.evaluation();
            if (r != null && r.request().evaluate) {
                lastRobustAccuracy = r.robustAccuracy();
                ModelSlot slot = slots.resident(r.request().modelId);
                if (slot != null) {
                    slot.progress.lastCleanAccuracy = r.cleanAccuracy();
                    slot.progress.lastRobustAccuracy = r.robustAccuracy();
                    slot.dirty = true;
                }
            }
        }
        inFlight = evaluator.size();
    }

    /** While versions are in flight, looks for finished evaluations every {@value #POLL_MS} ms. */
    private void schedulePoll() {
        if (pollScheduled || evaluator.isEmpty()) {
            return;
        }
        pollScheduled = true;
        ProcessingTimeService time = getProcessingTimeService();
        time.registerTimer(time.getCurrentProcessingTime() + POLL_MS, t -> {
            pollScheduled = false;
            emitEvaluated(evaluator.completed());
            schedulePoll();
        });
    }

    // ---- metrics and clock ---------------------------------------------------------------------------------------

    private double prequentialAccuracy() {
        long labeled = 0;
        long correct = 0;
        ModelSlots current = slots;
        if (current == null) {
            return Double.NaN;
        }
        for (ModelSlot s : current.known()) {
            labeled += s.progress.labeledTrained;
            correct += s.progress.correctBeforeUpdate;
        }
        return labeled == 0 ? Double.NaN : (double) correct / labeled;
    }

    /** Captured versions whose records wait for their evaluation (tests). */
    int versionsInFlight() {
        return evaluator.size();
    }

    /** The models in memory (tests). */
    ModelSlots models() {
        return slots;
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** The exception thrown by {@code fault.fail-after-batches}. */
    public static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }
}
