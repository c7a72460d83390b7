package io.bulwark.serving.config;

import io.bulwark.kafka.Topics;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ab.GateConfig;
import io.bulwark.serving.model.InferenceLimits;
import io.bulwark.serving.model.SnapshotLoader;
import io.bulwark.serving.monitor.MonitorSettings;
import io.bulwark.serving.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable configuration of the serving process.
 *
 * <pre>{@code
 * ServingConfig config = ServingConfig.builder()
 *         .optPort(0)
 *         .optKafka("localhost:9092", "http://localhost:8081")
 *         .optAdminToken("s3cret")
 *         .build();
 * try (ServingServer server = ServingServer.start(config)) { ... server.port() ... }
 * }</pre>
 */
public final class ServingConfig {

    /** Where snapshot intake starts reading. */
    public enum SnapshotStart {
        /** Read the compacted latest-snapshot topic, then follow the versions topic from its end. */
        LATEST_PER_MODEL,
        /** Replay the versions topic from its beginning (bounded by the versions kept per model). */
        EARLIEST,
        /** Only snapshots published after start. */
        END
    }

    private final String host;
    private final int port;
    private final String bootstrapServers;
    private final String registryUrl;
    private final Map<String, String> kafkaProperties;
    private final Map<String, String> registryProperties;
    private final String snapshotTopic;
    private final String latestSnapshotTopic;
    private final String reportTopic;
    private final String heldOutTopic;
    private final long heldOutReplay;
    private final SnapshotStart snapshotStart;
    private final List<Path> snapshotFiles;
    private final String device;
    private final int maxVersionsPerModel;
    private final int maxReportsPerModel;
    private final int loaderThreads;
    private final long maxBodyBytes;
    private final int maxBatchSize;
    private final int maxTextChars;
    private final String adminToken;
    private final double gateMargin;
    private final boolean gateRequireReport;
    private final int gateMinExamples;
    private final double gateConfidence;
    private final ModelRegistry.CanarySettings canary;
    private final ArmSpec armA;
    private final ArmSpec armB;
    private final double weightA;
    private final double weightB;
    private final boolean shadow;
    private final double shadowShare;
    private final MonitorSettings monitor;
    private final int feedbackCapacity;
    private final int shadowThreads;
    private final int shadowQueue;
    private final long sampleMillis;
    private final int inferenceBatchTexts;
    private final InferenceLimits inferenceLimits;
    private final SnapshotLoader loader;

    private ServingConfig(Builder b) {
        host = b.host;
        port = b.port;
        bootstrapServers = b.bootstrapServers;
        registryUrl = b.registryUrl;
        kafkaProperties = Map.copyOf(b.kafkaProperties);
        registryProperties = Map.copyOf(b.registryProperties);
        snapshotTopic = b.snapshotTopic;
        latestSnapshotTopic = b.latestSnapshotTopic;
        reportTopic = b.reportTopic;
        heldOutTopic = b.heldOutTopic;
        heldOutReplay = b.heldOutReplay;
        snapshotStart = b.snapshotStart;
        snapshotFiles = List.copyOf(b.snapshotFiles);
        device = b.device;
        maxVersionsPerModel = b.maxVersionsPerModel;
        maxReportsPerModel = b.maxReportsPerModel;
        loaderThreads = b.loaderThreads;
        maxBodyBytes = b.maxBodyBytes;
        maxBatchSize = b.maxBatchSize;
        maxTextChars = b.maxTextChars;
        adminToken = b.adminToken;
        gateMargin = b.gateMargin;
        gateRequireReport = b.gateRequireReport;
        gateMinExamples = b.gateMinExamples;
        gateConfidence = b.gateConfidence;
        canary = new ModelRegistry.CanarySettings(b.canaryCapacity, b.canarySeed,
                ModelRegistry.CanarySettings.DEFAULTS.charBudget(), ModelRegistry.CanarySettings.DEFAULTS.goodWords(),
                b.rollbackThreshold, b.rollbackChecks);
        armA = b.armA;
        armB = b.armB;
        weightA = b.weightA;
        weightB = b.weightB;
        shadow = b.shadow;
        shadowShare = b.shadowShare;
        monitor = MonitorSettings.DEFAULTS.withWindows(b.monitorReference, b.monitorWindow);
        feedbackCapacity = b.feedbackCapacity;
        shadowThreads = b.shadowThreads;
        shadowQueue = b.shadowQueue;
        sampleMillis = b.sampleMillis;
        inferenceBatchTexts = b.inferenceBatchTexts;
        inferenceLimits = new InferenceLimits(b.inferenceQueue, b.requestTimeoutMillis, b.retryAfterSeconds);
        loader = b.loader;
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Address to bind (default 127.0.0.1). */
    public String host() { return host; }
    /** Port to bind; 0 picks a free one (default 8080). */
    public int port() { return port; }
    /** Kafka bootstrap servers, or null for no Kafka intake. */
    public String bootstrapServers() { return bootstrapServers; }
    /** Schema registry URL (required with Kafka). */
    public String registryUrl() { return registryUrl; }
    /** Extra Kafka consumer properties (security.protocol, sasl.*, ssl.*), passed through as they are. */
    public Map<String, String> kafkaProperties() { return kafkaProperties; }
    /** Extra schema-registry client properties (basic.auth.*, ssl), passed through as they are. */
    public Map<String, String> registryProperties() { return registryProperties; }
    /** Topic with every snapshot version (default bulwark.snapshots). */
    public String snapshotTopic() { return snapshotTopic; }
    /** Compacted topic with the latest snapshot per model (default bulwark.snapshots.latest). */
    public String latestSnapshotTopic() { return latestSnapshotTopic; }
    /** Topic of robustness reports (default bulwark.reports). */
    public String reportTopic() { return reportTopic; }
    /** Topic of held-out events, read into each model's canary set (default bulwark.heldout). */
    public String heldOutTopic() { return heldOutTopic; }
    /** Offsets per held-out partition read at start, the most recent; 0 reads it all (default 100000). */
    public long heldOutReplay() { return heldOutReplay; }
    /** Where snapshot intake starts (default LATEST_PER_MODEL). */
    public SnapshotStart snapshotStart() { return snapshotStart; }
    /** Avro container files of ModelSnapshot records loaded at start. */
    public List<Path> snapshotFiles() { return snapshotFiles; }
    /** Device models are loaded on (default cpu). */
    public String device() { return device; }
    /** Versions kept per model, least recently used evicted first; versions arms need are kept (default 4). */
    public int maxVersionsPerModel() { return maxVersionsPerModel; }
    /** Robustness reports kept per model for the dashboard (default 1000). */
    public int maxReportsPerModel() { return maxReportsPerModel; }
    /** Threads loading snapshots (default 1). */
    public int loaderThreads() { return loaderThreads; }
    /** Largest request body, bytes (default 1 MiB). */
    public long maxBodyBytes() { return maxBodyBytes; }
    /** Most texts in one request (default 256). */
    public int maxBatchSize() { return maxBatchSize; }
    /** Longest text, characters (default 10000). */
    public int maxTextChars() { return maxTextChars; }
    /** Bearer token of the admin endpoints, or null (admin endpoints then refuse every call). */
    public String adminToken() { return adminToken; }
    /** Robust-accuracy drop beyond which the gate blocks automatic promotion (default 0.05). */
    public double gateMargin() { return gateMargin; }
    /** Whether a candidate waits for its robustness report before automatic promotion (default true). */
    public boolean gateRequireReport() { return gateRequireReport; }

    /** Held-out examples behind a robust accuracy before the gate counts it as evidence. */
    public int gateMinExamples() { return gateMinExamples; }
    /** One-sided confidence of the canary gate (default 0.95). */
    public double gateConfidence() { return gateConfidence; }
    /** Canary set and automatic rollback settings. */
    public ModelRegistry.CanarySettings canary() { return canary; }
    /** Initial arm A of every model (default latest). */
    public ArmSpec armA() { return armA; }
    /** Initial arm B of every model (default latest). */
    public ArmSpec armB() { return armB; }
    /** Initial weight of arm A (default 100). */
    public double weightA() { return weightA; }
    /** Initial weight of arm B (default 0). */
    public double weightB() { return weightB; }
    /** Initial shadow mode (default off). */
    public boolean shadow() { return shadow; }
    /** Share of requests mirrored to the challenger in shadow mode, chosen by request id (default 1). */
    public double shadowShare() { return shadowShare; }
    /** Window sizes and thresholds of the input monitor (default 500-text windows). */
    public MonitorSettings monitor() { return monitor; }
    /** Request ids remembered for feedback (default 100000). */
    public int feedbackCapacity() { return feedbackCapacity; }
    /** Threads scoring shadow requests (default 1). */
    public int shadowThreads() { return shadowThreads; }
    /** Shadow requests queued before new ones are dropped and counted (default 1000). */
    public int shadowQueue() { return shadowQueue; }
    /** Period of the dashboard's serving time series, milliseconds (default 1000). */
    public long sampleMillis() { return sampleMillis; }
    /** Most texts one forward pass merges from waiting requests (default 64; 0 = no inference thread). */
    public int inferenceBatchTexts() { return inferenceBatchTexts; }
    /** Requests waiting per version, request time-out and Retry-After (default 1024, 10000 ms, 1 s). */
    public InferenceLimits inferenceLimits() { return inferenceLimits; }
    /** The snapshot loader, or null for the learner loader on {@link #device()}. */
    public SnapshotLoader loader() { return loader; }

    /** Builder of {@link ServingConfig}; {@link #build()} validates. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private String bootstrapServers;
        private String registryUrl;
        private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
        private final Map<String, String> registryProperties = new LinkedHashMap<>();
        private String snapshotTopic = Topics.SNAPSHOTS;
        private String latestSnapshotTopic = Topics.SNAPSHOTS_LATEST;
        private String reportTopic = Topics.REPORTS;
        private String heldOutTopic = Topics.HELDOUT;
        private long heldOutReplay = 100_000;
        private SnapshotStart snapshotStart = SnapshotStart.LATEST_PER_MODEL;
        private final List<Path> snapshotFiles = new ArrayList<>();
        private String device = "cpu";
        private int maxVersionsPerModel = 4;
        private int maxReportsPerModel = 1000;
        private int loaderThreads = 1;
        private long maxBodyBytes = 1 << 20;
        private int maxBatchSize = 256;
        private int maxTextChars = 10_000;
        private String adminToken;
        private double gateMargin = 0.05;
        private boolean gateRequireReport = true;
        private int gateMinExamples = GateConfig.DEFAULT_MIN_EXAMPLES;
        private double gateConfidence = GateConfig.DEFAULT_CONFIDENCE;
        private int canaryCapacity = ModelRegistry.CanarySettings.DEFAULTS.capacity();
        private long canarySeed = ModelRegistry.CanarySettings.DEFAULTS.seed();
        private double rollbackThreshold = ModelRegistry.CanarySettings.DEFAULTS.rollbackThreshold();
        private int rollbackChecks = ModelRegistry.CanarySettings.DEFAULTS.rollbackChecks();
        private ArmSpec armA = ArmSpec.latest();
        private ArmSpec armB = ArmSpec.latest();
        private double weightA = 100;
        private double weightB = 0;
        private boolean shadow;
        private double shadowShare = 1.0;
        private int monitorReference = MonitorSettings.DEFAULTS.referenceTexts();
        private int monitorWindow = MonitorSettings.DEFAULTS.windowTexts();
        private int feedbackCapacity = 100_000;
        private int shadowThreads = 1;
        private int shadowQueue = 1000;
        private long sampleMillis = 1000;
        private int inferenceBatchTexts = 64;
        private int inferenceQueue = InferenceLimits.DEFAULTS.maxQueued();
        private long requestTimeoutMillis = InferenceLimits.DEFAULTS.timeoutMillis();
        private int retryAfterSeconds = InferenceLimits.DEFAULTS.retryAfterSeconds();
        private SnapshotLoader loader;

        private Builder() {}

        /** Sets the bind address. */
        public Builder optHost(String host) { this.host = host; return this; }
        /** Sets the port (0 = any free port). */
        public Builder optPort(int port) { this.port = port; return this; }
        /** Enables Kafka intake from {@code bootstrapServers}, decoding with the registry at {@code registryUrl}. */
        public Builder optKafka(String bootstrapServers, String registryUrl) {
            this.bootstrapServers = bootstrapServers;
            this.registryUrl = registryUrl;
            return this;
        }
        /** Adds a Kafka consumer property (security pass-through). */
        public Builder optKafkaProperty(String key, String value) { kafkaProperties.put(key, value); return this; }
        /** Adds a schema-registry client property. */
        public Builder optRegistryProperty(String key, String value) { registryProperties.put(key, value); return this; }
        /** Sets the three topics. */
        public Builder optTopics(String snapshots, String latestSnapshots, String reports) {
            this.snapshotTopic = snapshots;
            this.latestSnapshotTopic = latestSnapshots;
            this.reportTopic = reports;
            return this;
        }
        /** Sets the topic of held-out events (each model's canary set). */
        public Builder optHeldOutTopic(String topic) { this.heldOutTopic = topic; return this; }
        /** Sets how many of the most recent offsets of each held-out partition are read at start (0 = all). */
        public Builder optHeldOutReplay(long offsets) { this.heldOutReplay = offsets; return this; }
        /** Sets the canary gate's one-sided confidence. */
        public Builder optGateConfidence(double confidence) { this.gateConfidence = confidence; return this; }
        /** Sets the canary set size per model and the seed of its attacked texts. */
        public Builder optCanary(int capacity, long seed) {
            this.canaryCapacity = capacity;
            this.canarySeed = seed;
            return this;
        }
        /** Rolls the champion back after {@code checks} consecutive canary checks below {@code threshold} (0 = off). */
        public Builder optRollback(double threshold, int checks) {
            this.rollbackThreshold = threshold;
            this.rollbackChecks = checks;
            return this;
        }
        /** Sets where intake starts. */
        public Builder optSnapshotStart(SnapshotStart start) { this.snapshotStart = start; return this; }
        /** Adds an Avro container file of snapshots to load at start. */
        public Builder optSnapshotFile(Path file) { snapshotFiles.add(file); return this; }
        /** Sets the device. */
        public Builder optDevice(String device) { this.device = device; return this; }
        /** Sets the versions kept per model. */
        public Builder optMaxVersionsPerModel(int n) { this.maxVersionsPerModel = n; return this; }
        /** Sets the reports kept per model. */
        public Builder optMaxReportsPerModel(int n) { this.maxReportsPerModel = n; return this; }
        /** Sets the loader threads. */
        public Builder optLoaderThreads(int n) { this.loaderThreads = n; return this; }
        /** Sets the request limits: body bytes, texts per request, characters per text. */
        public Builder optLimits(long maxBodyBytes, int maxBatchSize, int maxTextChars) {
            this.maxBodyBytes = maxBodyBytes;
            this.maxBatchSize = maxBatchSize;
            this.maxTextChars = maxTextChars;
            return this;
        }
        /** Sets how many held-out examples a robust accuracy needs before the gate counts it as evidence. */
        public Builder optGateMinExamples(int n) { this.gateMinExamples = n; return this; }
        /** Sets the admin bearer token. */
        public Builder optAdminToken(String token) { this.adminToken = token; return this; }
        /** Sets the robustness gate. */
        public Builder optGate(double margin, boolean requireReport) {
            this.gateMargin = margin;
            this.gateRequireReport = requireReport;
            return this;
        }
        /** Sets the initial arms, weights and shadow mode of every model. */
        public Builder optExperiment(ArmSpec a, ArmSpec b, double weightA, double weightB, boolean shadow) {
            this.armA = a;
            this.armB = b;
            this.weightA = weightA;
            this.weightB = weightB;
            this.shadow = shadow;
            return this;
        }
        /** Sets the share of requests mirrored to the challenger in shadow mode (0 to 1, by request id). */
        public Builder optShadowShare(double share) { this.shadowShare = share; return this; }
        /** Sets the texts of the monitor's reference window and of its current (sliding) window. */
        public Builder optMonitorWindows(int reference, int window) {
            this.monitorReference = reference;
            this.monitorWindow = window;
            return this;
        }
        /** Sets the number of request ids remembered for feedback. */
        public Builder optFeedbackCapacity(int n) { this.feedbackCapacity = n; return this; }
        /** Sets the shadow scoring threads and queue. */
        public Builder optShadowExecutor(int threads, int queue) {
            this.shadowThreads = threads;
            this.shadowQueue = queue;
            return this;
        }
        /** Sets the sampling period of the dashboard's time series. */
        public Builder optSampleMillis(long millis) { this.sampleMillis = millis; return this; }
        /** Sets the most texts one forward pass merges from waiting requests (1 = no merging, 0 = no inference thread). */
        public Builder optInferenceBatchTexts(int n) { this.inferenceBatchTexts = n; return this; }
        /**
         * Sets the overload behaviour: requests that may wait per version ({@code maxQueued}, more are answered 503),
         * the time-out after which a waiting request is answered 503, and the Retry-After seconds sent with a 503.
         */
        public Builder optOverload(int maxQueued, long requestTimeoutMillis, int retryAfterSeconds) {
            this.inferenceQueue = maxQueued;
            this.requestTimeoutMillis = requestTimeoutMillis;
            this.retryAfterSeconds = retryAfterSeconds;
            return this;
        }
        /** Replaces the snapshot loader (default: the learner loader on the device). */
        public Builder optLoader(SnapshotLoader loader) { this.loader = loader; return this; }

        /** Validates and builds the configuration. */
        public ServingConfig build() {
            check(port >= 0 && port <= 65535, "port must be in [0, 65535], got " + port);
            check(host != null && !host.isBlank(), "host must not be blank");
            check(bootstrapServers == null || (registryUrl != null && !registryUrl.isBlank()),
                    "Kafka intake needs a schema registry URL (optKafka(bootstrapServers, registryUrl))");
            check(maxVersionsPerModel >= 1, "maxVersionsPerModel must be >= 1, got " + maxVersionsPerModel);
            check(maxReportsPerModel >= 1, "maxReportsPerModel must be >= 1, got " + maxReportsPerModel);
            check(loaderThreads >= 1, "loaderThreads must be >= 1, got " + loaderThreads);
            check(maxBodyBytes >= 64, "maxBodyBytes must be >= 64, got " + maxBodyBytes);
            check(maxBatchSize >= 1, "maxBatchSize must be >= 1, got " + maxBatchSize);
            check(maxTextChars >= 1, "maxTextChars must be >= 1, got " + maxTextChars);
            check(adminToken == null || adminToken.length() >= 8, "the admin token must have at least 8 characters");
            check(gateMargin >= 0 && gateMargin <= 1, "gate margin must be in [0, 1], got " + gateMargin);
            check(gateMinExamples >= 1, "gate minimum examples must be >= 1, got " + gateMinExamples);
            check(gateConfidence > 0.5 && gateConfidence < 1, "gate confidence must be in (0.5, 1), got " + gateConfidence);
            check(canaryCapacity >= 1, "canary capacity must be >= 1, got " + canaryCapacity);
            check(rollbackThreshold >= 0 && rollbackThreshold <= 1,
                    "rollback threshold must be in [0, 1], got " + rollbackThreshold);
            check(rollbackChecks >= 1, "rollback checks must be >= 1, got " + rollbackChecks);
            check(heldOutTopic != null && !heldOutTopic.isBlank(), "the held-out topic must not be blank");
            check(heldOutReplay >= 0, "held-out replay must be >= 0, got " + heldOutReplay);
            check(armA.kind() != ArmSpec.Kind.NONE, "arm A cannot be 'none'");
            check(weightA >= 0 && weightB >= 0 && weightA + weightB > 0,
                    "weights must be non-negative and not both zero, got A=" + weightA + " B=" + weightB);
            check(shadowShare >= 0 && shadowShare <= 1, "shadow share must be in [0, 1], got " + shadowShare);
            check(monitorReference >= 1 && monitorWindow >= 1,
                    "monitor windows must be >= 1, got " + monitorReference + " and " + monitorWindow);
            check(feedbackCapacity >= 1, "feedbackCapacity must be >= 1, got " + feedbackCapacity);
            check(shadowThreads >= 1 && shadowQueue >= 1, "shadow threads and queue must be >= 1");
            check(inferenceBatchTexts >= 0, "inferenceBatchTexts must be >= 0, got " + inferenceBatchTexts);
            check(inferenceQueue >= 1, "the inference queue must be >= 1, got " + inferenceQueue);
            check(requestTimeoutMillis >= 1, "the request time-out must be >= 1 ms, got " + requestTimeoutMillis);
            check(retryAfterSeconds >= 0, "Retry-After must be >= 0 s, got " + retryAfterSeconds);
            check(sampleMillis >= 50, "sampleMillis must be >= 50, got " + sampleMillis);
            return new ServingConfig(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
