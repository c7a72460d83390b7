package io.bulwark.job.train;

import io.bulwark.kafka.Topics;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the {@link TrainingOperator} needs: learner configuration, batching, snapshot cadence, held-out
 * evaluation, output topics and registry. Serializable (the learner configuration travels as its string map).
 *
 * <pre>{@code
 * TrainerSettings settings = TrainerSettings.builder()
 *     .setLearnerConfig(LearnerConfig.builder().optBuckets(4096).build())
 *     .setRegistry(RegistryConfig.builder().setUrl("http://localhost:8081").build())
 *     .optBatchSize(16)
 *     .optSnapshotEveryBatches(10)
 *     .build();
 * }</pre>
 */
public final class TrainerSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LearnerConfig learnerConfig;
    private final RegistryConfig registry;
    private final long batchTimeoutMs;
    private final int snapshotEveryBatches;
    private final long snapshotIntervalMs;
    private final double heldOutFraction;
    private final int heldOutWindow;
    private final boolean robustEval;
    private final Integer attackSteps;
    private final Double attackEpsilon;
    private final Double attackAlpha;
    private final Integer attackRestarts;
    private final int attackTexts;
    private final int evalEverySnapshots;
    private final int evalMaxPending;
    private final double evalDutyCycle;
    private final String attackNorm;
    private final String device;
    private final String gpuResource;
    private final int intraOpThreads;
    private final int failAfterBatches;
    private final long idleEvictionMs;
    private final int labelMinCount;
    private final String snapshotsTopic;
    private final String latestTopic;
    private final String reportsTopic;

    private TrainerSettings(Builder b) {
        learnerConfig = b.batchSize == null ? b.learnerConfig
                : b.learnerConfig.toBuilder().optBatchSize(b.batchSize).build();
        registry = b.registry;
        batchTimeoutMs = b.batchTimeout.toMillis();
        snapshotEveryBatches = b.snapshotEveryBatches;
        snapshotIntervalMs = b.snapshotInterval.toMillis();
        heldOutFraction = b.heldOutFraction;
        heldOutWindow = b.heldOutWindow;
        robustEval = b.robustEval;
        attackSteps = b.attackSteps;
        attackEpsilon = b.attackEpsilon;
        attackAlpha = b.attackAlpha;
        attackRestarts = b.attackRestarts;
        attackTexts = b.attackTexts;
        evalEverySnapshots = b.evalEverySnapshots;
        evalMaxPending = b.evalMaxPending;
        evalDutyCycle = b.evalDutyCycle;
        attackNorm = b.attackNorm;
        device = b.device;
        gpuResource = b.gpuResource;
        intraOpThreads = b.intraOpThreads;
        failAfterBatches = b.failAfterBatches;
        idleEvictionMs = b.idleEviction.toMillis();
        labelMinCount = b.labelMinCount;
        snapshotsTopic = b.snapshotsTopic;
        latestTopic = b.latestTopic;
        reportsTopic = b.reportsTopic;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the learner configuration. */
    public LearnerConfig learnerConfig() {
        return learnerConfig;
    }

    /** Returns the schema registry configuration. */
    public RegistryConfig registry() {
        return registry;
    }

    /** Returns events per batch: the learner's batch size. */
    public int batchSize() {
        return learnerConfig.batchSize();
    }

    /** Returns the held-out events the realistic attack suite runs on at every snapshot (0 = off). */
    public int attackTexts() {
        return attackTexts;
    }

    /** Returns k: the robustness of every k-th snapshot version is evaluated. */
    public int evalEverySnapshots() {
        return evalEverySnapshots;
    }

    /** Returns the snapshot evaluations kept in flight before a snapshot is published without one. */
    public int evalMaxPending() {
        return evalMaxPending;
    }

    /** Returns the largest share of wall-clock time spent in evaluation's learner calls. */
    public double evalDutyCycle() {
        return evalDutyCycle;
    }

    /** Returns the batch timeout in ms (0 = batches close by size only). */
    public long batchTimeoutMs() {
        return batchTimeoutMs;
    }

    /** Returns the batch-count snapshot trigger (0 = off). */
    public int snapshotEveryBatches() {
        return snapshotEveryBatches;
    }

    /** Returns the time snapshot trigger in ms (0 = off). */
    public long snapshotIntervalMs() {
        return snapshotIntervalMs;
    }

    /** Returns the held-out fraction. */
    public double heldOutFraction() {
        return heldOutFraction;
    }

    /** Returns the held-out window size: the most recent held-out events kept per model. */
    public int heldOutWindow() {
        return heldOutWindow;
    }

    /** Returns whether reports include robust accuracy. */
    public boolean robustEval() {
        return robustEval;
    }

    /** Returns the device option ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}). */
    public String device() {
        return device;
    }

    /** Returns the name of the GPU external resource. */
    public String gpuResource() {
        return gpuResource;
    }

    /** Returns libtorch's intra-op threads (0 = libtorch's default). */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Returns the fault-injection batch count (0 = off). */
    public int failAfterBatches() {
        return failAfterBatches;
    }

    /** Returns how long a model stays in memory without events before it is evicted, ms (0 = never). */
    public long idleEvictionMs() {
        return idleEvictionMs;
    }

    /** Returns the training events a new label needs before it becomes a class (1 = the first one). */
    public int labelMinCount() {
        return labelMinCount;
    }

    /** Returns the snapshot versions topic. */
    public String snapshotsTopic() {
        return snapshotsTopic;
    }

    /** Returns the compacted latest-snapshot topic. */
    public String latestTopic() {
        return latestTopic;
    }

    /** Returns the reports topic. */
    public String reportsTopic() {
        return reportsTopic;
    }

    /** Returns the evaluation attack: the learner's defaults with the configured overrides, or null when off. */
    public PgdAttack attack(LearnerConfig config) {
        if (!robustEval) {
            return null;
        }
        PgdAttack d = PgdAttack.defaults(config);
        return new PgdAttack(
                attackSteps != null ? attackSteps : d.steps(),
                attackEpsilon != null ? attackEpsilon : d.epsilon(),
                attackAlpha != null ? attackAlpha : d.alpha(),
                attackRestarts != null ? attackRestarts : d.restarts(),
                attackNorm != null ? LearnerConfig.NormType.valueOf(attackNorm.toUpperCase(Locale.ROOT)) : d.norm());
    }

    /** Builds {@link TrainerSettings}; learner config and registry are required, the rest optional. */
    public static final class Builder {
        private LearnerConfig learnerConfig;
        private RegistryConfig registry;
        private Integer batchSize;
        private Duration batchTimeout = Duration.ZERO;
        private int snapshotEveryBatches = 100;
        private Duration snapshotInterval = Duration.ZERO;
        private double heldOutFraction = 0.05;
        private int heldOutWindow = 256;
        private boolean robustEval = true;
        private Integer attackSteps;
        private Double attackEpsilon;
        private Double attackAlpha;
        private Integer attackRestarts;
        private int attackTexts;
        private int evalEverySnapshots = 1;
        private int evalMaxPending = 2;
        private double evalDutyCycle = 0.1;
        private String attackNorm;
        private String device = "auto";
        private String gpuResource = "gpu";
        private int intraOpThreads = 1;
        private int failAfterBatches;
        private Duration idleEviction = Duration.ZERO;
        private int labelMinCount = 1;
        private String snapshotsTopic = Topics.SNAPSHOTS;
        private String latestTopic = Topics.SNAPSHOTS_LATEST;
        private String reportsTopic = Topics.REPORTS;

        private Builder() {
        }

        /** Sets the learner configuration (required). */
        public Builder setLearnerConfig(LearnerConfig config) {
            this.learnerConfig = config;
            return this;
        }

        /** Sets the schema registry used to encode snapshots and reports (required). */
        public Builder setRegistry(RegistryConfig registry) {
            this.registry = registry;
            return this;
        }

        /** Sets events per batch, the learner's batch size (default: the learner configuration's). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Sets the batch timeout (default 0: by size only). */
        public Builder optBatchTimeout(Duration timeout) {
            this.batchTimeout = timeout;
            return this;
        }

        /** Sets the batch-count snapshot trigger (default 100; 0 = off). */
        public Builder optSnapshotEveryBatches(int batches) {
            this.snapshotEveryBatches = batches;
            return this;
        }

        /** Sets the time snapshot trigger (default 0 = off). */
        public Builder optSnapshotInterval(Duration interval) {
            this.snapshotInterval = interval;
            return this;
        }

        /** Sets the held-out fraction (default 0.05). */
        public Builder optHeldOutFraction(double fraction) {
            this.heldOutFraction = fraction;
            return this;
        }

        /** Sets the held-out window size, the most recent held-out events kept per model (default 256). */
        public Builder optHeldOutWindow(int size) {
            this.heldOutWindow = size;
            return this;
        }

        /** The held-out window's former name: {@link #optHeldOutWindow}. */
        @Deprecated
        public Builder optReservoirSize(int size) {
            return optHeldOutWindow(size);
        }

        /** Sets whether reports include robust accuracy (default true). */
        public Builder optRobustEval(boolean robust) {
            this.robustEval = robust;
            return this;
        }

        /** Overrides the evaluation attack's steps. */
        public Builder optAttackSteps(Integer steps) {
            this.attackSteps = steps;
            return this;
        }

        /** Overrides the evaluation attack's radius. */
        public Builder optAttackEpsilon(Double epsilon) {
            this.attackEpsilon = epsilon;
            return this;
        }

        /** Overrides the evaluation attack's step size. */
        public Builder optAttackAlpha(Double alpha) {
            this.attackAlpha = alpha;
            return this;
        }

        /** Held-out events the realistic attack suite runs on at every snapshot (default 0: off). */
        public Builder optAttackTexts(int texts) {
            this.attackTexts = texts;
            return this;
        }

        /** Evaluates every k-th snapshot version (default 1: every version). */
        public Builder optEvalEverySnapshots(int k) {
            this.evalEverySnapshots = k;
            return this;
        }

        /** Snapshot evaluations kept in flight before one is skipped (default 2). */
        public Builder optEvalMaxPending(int pending) {
            this.evalMaxPending = pending;
            return this;
        }

        /** Largest share of wall-clock time spent in evaluation's learner calls (default 0.1; 1 = no pauses). */
        public Builder optEvalDutyCycle(double share) {
            this.evalDutyCycle = share;
            return this;
        }

        /** Overrides the evaluation attack's restarts. */
        public Builder optAttackRestarts(Integer restarts) {
            this.attackRestarts = restarts;
            return this;
        }

        /** Overrides the evaluation attack's norm (LINF or L2). */
        public Builder optAttackNorm(String norm) {
            this.attackNorm = norm;
            return this;
        }

        /** Sets the device option (default auto). */
        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        /** Sets the GPU external resource name (default gpu). */
        public Builder optGpuResource(String name) {
            this.gpuResource = name;
            return this;
        }

        /** Sets libtorch's intra-op threads (default 1, reproducible; 0 = libtorch's default). */
        public Builder optIntraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Sets the fault-injection batch count (default 0 = off). */
        public Builder optFailAfterBatches(int batches) {
            this.failAfterBatches = batches;
            return this;
        }

        /** Evicts a model from memory after this long without events; 0 (default) keeps every model. */
        public Builder optIdleEviction(Duration idle) {
            this.idleEviction = idle;
            return this;
        }

        /**
         * Training events a label learned from the stream needs before it becomes a class; earlier ones are held
         * back in state (default 1: the first event makes it a class). Ignored with a fixed label set.
         */
        public Builder optLabelMinCount(int count) {
            this.labelMinCount = count;
            return this;
        }

        /** Sets the output topics. */
        public Builder optTopics(String snapshots, String latest, String reports) {
            this.snapshotsTopic = snapshots;
            this.latestTopic = latest;
            this.reportsTopic = reports;
            return this;
        }

        /** Validates and builds the settings. */
        public TrainerSettings build() {
            if (learnerConfig == null) {
                throw new IllegalArgumentException("You must specify the learner configuration (setLearnerConfig)");
            }
            if (registry == null) {
                throw new IllegalArgumentException("You must specify the schema registry (setRegistry)");
            }
            check(batchSize == null || batchSize > 0, "Batch size must be > 0, got " + batchSize);
            check(attackTexts >= 0, "Attack texts must be >= 0, got " + attackTexts);
            check(evalEverySnapshots >= 1, "Evaluation cadence must be >= 1, got " + evalEverySnapshots);
            check(evalMaxPending >= 1, "Evaluations in flight must be >= 1, got " + evalMaxPending);
            check(evalDutyCycle > 0 && evalDutyCycle <= 1, "Evaluation duty cycle must be in (0, 1], got "
                    + evalDutyCycle);
            Objects.requireNonNull(batchTimeout, "batchTimeout");
            Objects.requireNonNull(snapshotInterval, "snapshotInterval");
            Objects.requireNonNull(idleEviction, "idleEviction");
            check(!idleEviction.isNegative(), "Idle eviction must be >= 0, got " + idleEviction);
            check(labelMinCount >= 1, "Label minimum count must be >= 1, got " + labelMinCount);
            check(!batchTimeout.isNegative(), "Batch timeout must be >= 0, got " + batchTimeout);
            check(snapshotEveryBatches >= 0, "Snapshot batch count must be >= 0, got " + snapshotEveryBatches);
            check(!snapshotInterval.isNegative(), "Snapshot interval must be >= 0, got " + snapshotInterval);
            check(heldOutFraction >= 0 && heldOutFraction < 1, "Held-out fraction must be in [0, 1), got "
                    + heldOutFraction);
            check(heldOutWindow > 0, "Held-out window size must be > 0, got " + heldOutWindow);
            check(intraOpThreads >= 0, "Intra-op threads must be >= 0, got " + intraOpThreads);
            check(failAfterBatches >= 0, "Fault batch count must be >= 0, got " + failAfterBatches);
            check(device != null && (device.equals("auto") || device.equals("cpu") || device.matches("gpu(:\\d+)?")),
                    "Device must be auto, cpu, gpu or gpu:N, got " + device);
            check(snapshotsTopic != null && latestTopic != null && reportsTopic != null, "Topics must not be null");
            if (attackNorm != null) {
                check(attackNorm.equalsIgnoreCase("LINF") || attackNorm.equalsIgnoreCase("L2"),
                        "Attack norm must be LINF or L2, got " + attackNorm);
            }
            return new TrainerSettings(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
