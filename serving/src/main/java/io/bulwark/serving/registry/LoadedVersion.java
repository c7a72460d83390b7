package io.bulwark.serving.registry;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.serving.model.PooledEmbedder;
import io.bulwark.serving.model.ScoringModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One loaded snapshot version: the model that scores plus the snapshot's provenance. */
public final class LoadedVersion {

    private final String modelId;
    private final long version;
    private final Long parentVersion;
    private final long createdAt;
    private final long loadedAt;
    private final long examplesSeen;
    private final long batchesSeen;
    private final Map<String, Double> metrics;
    private final Map<String, String> trainingConfig;
    private final ScoringModel model;
    private final String fingerprint;
    private final PooledEmbedder embedder;
    private volatile long lastUsed;

    LoadedVersion(ModelSnapshot snapshot, String fingerprint, ScoringModel model, PooledEmbedder embedder,
                  long loadedAt, long tick) {
        this.fingerprint = fingerprint;
        this.embedder = embedder;
        this.modelId = snapshot.getModelId();
        this.version = snapshot.getVersion();
        this.parentVersion = snapshot.getParentVersion();
        this.createdAt = snapshot.getCreatedAt().toEpochMilli();
        this.loadedAt = loadedAt;
        this.examplesSeen = snapshot.getExamplesSeen();
        this.batchesSeen = snapshot.getBatchesSeen();
        this.metrics = Map.copyOf(snapshot.getMetrics());
        this.trainingConfig = Map.copyOf(snapshot.getTrainingConfig());
        this.model = model;
        this.lastUsed = tick;
    }

    /** The model id. */
    public String modelId() {
        return modelId;
    }

    /** The snapshot version. */
    public long version() {
        return version;
    }

    /** The {@link PayloadFingerprint} of the payload this version scores with. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The model that scores texts. */
    public ScoringModel model() {
        return model;
    }

    /** The pooled word embeddings of this version for the input monitor, if its model has them. */
    public Optional<PooledEmbedder> embedder() {
        return Optional.ofNullable(embedder);
    }

    /** The labels in output order. */
    public List<String> labels() {
        return model.labels();
    }

    /** When the snapshot was created, epoch milliseconds. */
    public long createdAt() {
        return createdAt;
    }

    /** When this process loaded it, epoch milliseconds. */
    public long loadedAt() {
        return loadedAt;
    }

    void touch(long tick) {
        lastUsed = tick;
    }

    long lastUsed() {
        return lastUsed;
    }

    /** A JSON-friendly view (without the report). */
    public Map<String, Object> toView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("parentVersion", parentVersion);
        m.put("createdAt", createdAt);
        m.put("loadedAt", loadedAt);
        m.put("fingerprint", fingerprint);
        m.put("labels", labels());
        m.put("examplesSeen", examplesSeen);
        m.put("batchesSeen", batchesSeen);
        m.put("strategy", trainingConfig.getOrDefault("strategy.type", trainingConfig.get("strategy")));
        m.put("snapshotMetrics", metrics);
        return m;
    }
}
