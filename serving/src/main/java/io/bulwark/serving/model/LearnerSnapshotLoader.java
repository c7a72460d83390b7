package io.bulwark.serving.model;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.InferenceModel;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.snapshot.SnapshotFormatException;

/**
 * Loads snapshots for inference only with {@link Snapshots#forInference} (the student's parameters, no optimizer
 * state, δ bank or teacher, no gradients), which checks the format version and the checksum.
 */
public final class LearnerSnapshotLoader implements SnapshotLoader {

    private final String device;
    private final int maxBatchTexts;
    private final InferenceLimits limits;

    /** As {@link #LearnerSnapshotLoader(String, int, InferenceLimits)} with {@link InferenceLimits#DEFAULTS}. */
    public LearnerSnapshotLoader(String device, int maxBatchTexts) {
        this(device, maxBatchTexts, InferenceLimits.DEFAULTS);
    }

    /**
     * Creates a loader placing models on {@code device} ("cpu", "gpu", "gpu:1"); each model scores on its own
     * inference thread, merging waiting requests up to {@code maxBatchTexts} texts ({@code 0}: no inference thread,
     * requests score one at a time on their own threads), with the queue bound and time-out of {@code limits}.
     */
    public LearnerSnapshotLoader(String device, int maxBatchTexts, InferenceLimits limits) {
        this.device = device;
        this.maxBatchTexts = maxBatchTexts;
        this.limits = limits;
    }

    @Override
    public ScoringModel load(ModelSnapshot snapshot) throws SnapshotRejectedException {
        String name = snapshot.getModelId() + " v" + snapshot.getVersion();
        try {
            InferenceModel inference = Snapshots.forInference(snapshot, device);
            InferenceScoringModel model = new InferenceScoringModel(inference, name, limits);
            return maxBatchTexts == 0 ? model : new BatchingScoringModel(model, name, maxBatchTexts, limits);
        } catch (SnapshotFormatException e) {
            throw new SnapshotRejectedException("format", e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new SnapshotRejectedException("config", "incompatible configuration: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SnapshotRejectedException("load", "could not be loaded: " + e, e);
        }
    }

    /** A heap copy of the student's embedding table ({@link PooledEmbedder}). */
    @Override
    public PooledEmbedder embedder(ModelSnapshot snapshot) {
        return PooledEmbedder.of(snapshot);
    }
}
