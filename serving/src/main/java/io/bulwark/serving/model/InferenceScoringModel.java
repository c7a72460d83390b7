package io.bulwark.serving.model;

import io.bulwark.model.Prediction;
import io.bulwark.model.learner.InferenceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ScoringModel} over an inference-only {@link InferenceModel}. Calls are serialised (the model is not
 * thread-safe) under a fair lock: at most {@link InferenceLimits#maxQueued()} callers wait for it, and one that
 * cannot take it within {@link InferenceLimits#timeoutMillis()} is answered 503. Used directly when serving runs
 * without inference threads, and as the delegate of {@link BatchingScoringModel} otherwise (then uncontended).
 */
public final class InferenceScoringModel implements ScoringModel {

    private final InferenceModel model;
    private final List<String> labels;
    private final String name;
    private final InferenceLimits limits;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean closed;

    /** Wraps {@code model}, which this scoring model then owns and closes. */
    public InferenceScoringModel(InferenceModel model, String name, InferenceLimits limits) {
        this.model = model;
        this.labels = List.copyOf(model.labels());
        this.name = name;
        this.limits = limits;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public List<Scored> predict(List<String> texts) {
        if (waiting.incrementAndGet() > limits.maxQueued()) {
            waiting.decrementAndGet();
            throw limits.queueFull(name);
        }
        boolean locked;
        try {
            locked = lock.tryLock(limits.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        } finally {
            waiting.decrementAndGet();
        }
        if (!locked) {
            throw limits.timedOut(name, "waiting for the model");
        }
        try {
            if (closed) {
                throw new ModelClosedException(name + " was evicted and closed");
            }
            List<Prediction> predictions = model.predict(texts);
            List<Scored> out = new ArrayList<>(predictions.size());
            for (Prediction p : predictions) {
                out.add(new Scored(p.label(), p.probabilities()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of the native arrays the model holds. */
    public long nativeBytes() {
        return model.nativeBytes();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
