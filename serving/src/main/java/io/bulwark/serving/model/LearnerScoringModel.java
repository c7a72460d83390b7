package io.bulwark.serving.model;

import io.bulwark.model.learner.Learner;
import io.bulwark.model.Prediction;
import java.util.ArrayList;
import java.util.List;

/** A {@link ScoringModel} over a {@link Learner}; calls are serialised because the learner is not thread-safe. */
public final class LearnerScoringModel implements ScoringModel {

    private final Learner learner;
    private final List<String> labels;
    private final String name;
    private boolean closed;

    /** Wraps {@code learner}, which this model then owns and closes. */
    public LearnerScoringModel(Learner learner, String name) {
        this.learner = learner;
        this.labels = List.copyOf(learner.labels());
        this.name = name;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public synchronized List<Scored> predict(List<String> texts) {
        if (closed) {
            throw new ModelClosedException(name + " was evicted and closed");
        }
        List<Prediction> predictions = learner.predict(texts);
        List<Scored> out = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            out.add(new Scored(p.label(), p.probabilities()));
        }
        return out;
    }

    /** The wrapped learner; callers must not use it concurrently with predict. */
    public Learner learner() {
        return learner;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            learner.close();
        }
    }
}
