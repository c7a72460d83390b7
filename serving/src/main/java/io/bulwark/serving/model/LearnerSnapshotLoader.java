package io.bulwark.serving.model;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.learner.Snapshots;

/** Loads snapshots with {@link Snapshots#fromAvro}, which checks the format version and the checksum. */
public final class LearnerSnapshotLoader implements SnapshotLoader {

    private final String device;
    private final int maxBatchTexts;

    /**
     * Creates a loader placing models on {@code device} ("cpu", "gpu", "gpu:1"); each model scores on its own
     * inference thread, merging waiting requests up to {@code maxBatchTexts} texts ({@code 0}: no inference thread,
     * requests score one at a time on their own threads).
     */
    public LearnerSnapshotLoader(String device, int maxBatchTexts) {
        this.device = device;
        this.maxBatchTexts = maxBatchTexts;
    }

    @Override
    public ScoringModel load(ModelSnapshot snapshot) throws SnapshotRejectedException {
        String name = snapshot.getModelId() + " v" + snapshot.getVersion();
        try {
            Learner learner = Snapshots.fromAvro(snapshot, device);
            LearnerScoringModel model = new LearnerScoringModel(learner, name);
            return maxBatchTexts == 0 ? model : new BatchingScoringModel(model, name, maxBatchTexts);
        } catch (SnapshotFormatException e) {
            throw new SnapshotRejectedException("format", e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new SnapshotRejectedException("config", "incompatible configuration: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SnapshotRejectedException("load", "could not be loaded: " + e, e);
        }
    }
}
