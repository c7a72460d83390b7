package io.bulwark.model.learner;

import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.snapshot.SnapshotFormatException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversion between a {@link Learner} and the Avro {@link ModelSnapshot} record published to Kafka. */
public final class Snapshots {

    private Snapshots() {}

    /**
     * A snapshot of the learner's student (and teacher) parameters with provenance: configuration split into
     * encoder ("encoder." keys) and training maps, labels, seed, counters, source offsets and metrics.
     */
    public static ModelSnapshot toAvro(Learner learner, String modelId, long version, Long parentVersion,
                                       List<SourceOffset> offsets, Map<String, Double> metrics) {
        Map<String, String> encoder = new LinkedHashMap<>();
        Map<String, String> training = new LinkedHashMap<>();
        learner.config().toMap().forEach((k, v) -> {
            if (k.startsWith(LearnerConfig.ENCODER_PREFIX)) {
                encoder.put(k, v);
            } else {
                training.put(k, v);
            }
        });
        Map<String, Double> m = new LinkedHashMap<>();
        if (metrics != null) {
            m.putAll(metrics);
        }
        m.putIfAbsent("skippedBatches", (double) learner.skippedBatches());
        m.putIfAbsent("updates", (double) learner.updates());
        return ModelSnapshot.newBuilder()
                .setModelId(modelId)
                .setVersion(version)
                .setParentVersion(parentVersion)
                .setCreatedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .setExamplesSeen(learner.examplesSeen())
                .setBatchesSeen(learner.batchesSeen())
                .setSourceOffsets(offsets == null ? new ArrayList<>() : new ArrayList<>(offsets))
                .setTrainingConfig(training)
                .setSeed(learner.config().seed())
                .setEncoderConfig(encoder)
                .setLabels(new ArrayList<>(learner.labels()))
                .setPayload(learner.exportParameters())
                .setTeacherPayload(learner.exportTeacher().orElse(null))
                .setMetrics(m)
                .build();
    }

    /**
     * An inference-ready learner from a snapshot.
     *
     * @throws SnapshotFormatException if the payload's format version or checksum is wrong, or it does not fit
     */
    public static Learner fromAvro(ModelSnapshot snapshot, String device) {
        ModelPayload teacher = snapshot.getTeacherPayload();
        return Learner.fromParameters(config(snapshot), snapshot.getLabels(), snapshot.getPayload(), teacher, device);
    }

    /**
     * The student of a snapshot loaded for inference only ({@link InferenceModel}): no optimizer state, δ bank or
     * teacher, no gradients. It predicts bitwise as {@link #fromAvro}'s learner.
     *
     * @throws SnapshotFormatException if the payload's format version or checksum is wrong, or it does not fit
     */
    public static InferenceModel forInference(ModelSnapshot snapshot, String device) {
        return InferenceModel.fromSnapshot(snapshot, device);
    }

    /**
     * The learner configuration a snapshot carries (its encoder and training maps).
     *
     * @throws SnapshotFormatException if it is invalid
     */
    public static LearnerConfig config(ModelSnapshot snapshot) {
        Map<String, String> all = new LinkedHashMap<>();
        all.putAll(snapshot.getEncoderConfig());
        all.putAll(snapshot.getTrainingConfig());
        try {
            return LearnerConfig.fromStoredMap(all);
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("Snapshot " + snapshot.getModelId() + " v" + snapshot.getVersion()
                    + " holds an invalid configuration: " + e.getMessage(), e);
        }
    }
}
