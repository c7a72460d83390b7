package io.bulwark.job.metrics;

/**
 * Names of the job's metrics. All live in the group {@value #GROUP} of their operator; per-model gauges live in
 * the subgroup {@code bulwark.model.<modelId>} (a key/value group, so reporters get a {@code model} label), and
 * dead-letter counts per reason in {@code bulwark.reason.<REASON>.deadLetters}.
 */
public final class BulwarkMetrics {

    /** The metric group of every Bulwark metric. */
    public static final String GROUP = "bulwark";
    /** Key of the per-model subgroup. */
    public static final String MODEL_GROUP = "model";
    /** Key of the per-reason dead-letter subgroup. */
    public static final String REASON_GROUP = "reason";

    /** Counter: input records read by the validation step (good and bad). */
    public static final String EVENTS_IN = "eventsIn";
    /** Meter: trained examples per second (the rate of {@link #EXAMPLES_TRAINED}). */
    public static final String EXAMPLES_PER_SECOND = "examplesPerSecond";
    /** Counter: examples trained. */
    public static final String EXAMPLES_TRAINED = "examplesTrained";
    /** Counter: events held out for evaluation (never trained on). */
    public static final String EVENTS_HELD_OUT = "eventsHeldOut";
    /** Counter: unlabeled events not trained on (the learner has no unlabeled term). */
    public static final String EVENTS_UNLABELED = "eventsUnlabeled";
    /** Counter: mini-batches trained. */
    public static final String BATCHES = "batches";
    /** Counter: batches whose update was skipped for a non-finite loss or gradient. */
    public static final String SKIPPED_BATCHES = "skippedBatches";
    /** Counter: snapshots emitted (visible to read_committed consumers after the next checkpoint). */
    public static final String SNAPSHOTS = "snapshots";
    /** Gauge: latest snapshot version (per model; operator level: highest of the subtask's models). */
    public static final String MODEL_VERSION = "modelVersion";
    /** Gauge: test-then-train accuracy over all labeled examples trained so far. */
    public static final String PREQUENTIAL_ACCURACY = "prequentialAccuracy";
    /** Gauge: clean accuracy on the held-out window at the latest snapshot. */
    public static final String CLEAN_ACCURACY = "cleanAccuracy";
    /** Gauge: accuracy under the PGD attack on the held-out window at the latest snapshot. */
    public static final String ROBUST_ACCURACY = "robustAccuracy";
    /** Gauge: mean norm of the adversarial perturbation after the latest batch. */
    public static final String DELTA_NORM = "deltaNorm";
    /** Gauge: symmetric KL between student and EMA teacher on the latest batch. */
    public static final String TEACHER_DRIFT_KL = "teacherDriftKl";
    /** Gauge: ms between now and the event time of the model's latest event. */
    public static final String LAG_MS = "lagMs";
    /** Counter: snapshots due for a robustness evaluation published without one (too many in flight). */
    public static final String EVALUATIONS_SKIPPED = "evaluationsSkipped";
    /** Gauge: snapshots captured whose records wait for their evaluation. */
    public static final String EVALUATIONS_IN_FLIGHT = "evaluationsInFlight";
    /** Gauge (per model): checkpoints that wrote the model's state. */
    public static final String CHECKPOINTS_WRITTEN = "checkpointsWritten";
    /** Gauge (per model): bytes of keyed state written by those checkpoints, in total. */
    public static final String CHECKPOINT_BYTES = "checkpointBytes";
    /** Gauge (per model): ms the training thread spent serialising the model's state at checkpoints, in total. */
    public static final String CHECKPOINT_MILLIS = "checkpointMillis";
    /** Gauge: bytes a model holds in memory (learner state, pending and held-out events); operator level: sum. */
    public static final String MEMORY_BYTES = "memoryBytes";
    /** Gauge: models of the subtask in memory (the others were evicted after model.idle-eviction). */
    public static final String MODELS_IN_MEMORY = "modelsInMemory";
    /** Gauge: models evicted from memory for idleness since the subtask started. */
    public static final String MODEL_EVICTIONS = "modelEvictions";
    /** Counter: dead letters (total; per reason under {@code reason.<REASON>}). */
    public static final String DEAD_LETTERS = "deadLetters";

    private BulwarkMetrics() {
    }
}
