package io.bulwark.serving.model;

import java.util.List;

/** A loaded, inference-ready model version; implementations must be safe to call from many threads. */
public interface ScoringModel extends AutoCloseable {

    /** The labels in output order. */
    List<String> labels();

    /** Scores each text; the result has one entry per text, in order. */
    List<Scored> predict(List<String> texts);

    /** Frees the model's resources; later predict calls fail with {@link ModelClosedException}. */
    @Override
    void close();
}
