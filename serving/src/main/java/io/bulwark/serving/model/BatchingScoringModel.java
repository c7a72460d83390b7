package io.bulwark.serving.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a model on one dedicated inference thread and merges requests that are already waiting into one batch.
 *
 * <p>Calling the native engine from one thread keeps its per-thread state (e.g. an OpenMP team) warm: calls from
 * many HTTP threads each pay for their own. Merging only takes requests queued while the previous batch ran, so a
 * lone request never waits for company; under load, one forward pass serves several requests. At most
 * {@link InferenceLimits#maxQueued()} requests wait; more are refused as unavailable (503 with Retry-After). A request
 * not answered within {@link InferenceLimits#timeoutMillis()} is answered 503 and, if still queued, dropped from the
 * queue; the worker skips requests whose caller gave up. After {@link #close()} every request is either answered or
 * refused, never left waiting.
 */
public final class BatchingScoringModel implements ScoringModel {

    private record Job(List<String> texts, CompletableFuture<List<Scored>> result) {}

    private static final Job POISON = new Job(List.of(), null);

    /** Requests that may wait for the inference thread before new ones are refused (503) by default. */
    public static final int DEFAULT_MAX_QUEUED = InferenceLimits.DEFAULTS.maxQueued();

    private final ScoringModel delegate;
    private final int maxBatchTexts;
    private final InferenceLimits limits;
    /** Guards enqueueing against close, so no request is queued behind the worker's end. */
    private final Object lock = new Object();
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final String name;
    private volatile boolean closed;

    /** Wraps {@code delegate} (which is then only called from the worker thread); merges up to {@code maxBatchTexts}. */
    public BatchingScoringModel(ScoringModel delegate, String name, int maxBatchTexts) {
        this(delegate, name, maxBatchTexts, DEFAULT_MAX_QUEUED);
    }

    /** As above, refusing new requests while {@code maxQueued} are waiting for the inference thread. */
    public BatchingScoringModel(ScoringModel delegate, String name, int maxBatchTexts, int maxQueued) {
        this(delegate, name, maxBatchTexts, new InferenceLimits(maxQueued, InferenceLimits.DEFAULTS.timeoutMillis(),
                InferenceLimits.DEFAULTS.retryAfterSeconds()));
    }

    /** As above, with the queue bound, request time-out and Retry-After of {@code limits}. */
    public BatchingScoringModel(ScoringModel delegate, String name, int maxBatchTexts, InferenceLimits limits) {
        if (maxBatchTexts < 1) {
            throw new IllegalArgumentException("maxBatchTexts must be >= 1, got " + maxBatchTexts);
        }
        this.delegate = delegate;
        this.maxBatchTexts = maxBatchTexts;
        this.limits = limits;
        this.name = name;
        this.worker = new Thread(this::run, "bulwark-inference-" + name.replace(' ', '-'));
        this.worker.setDaemon(true);
        this.worker.start();
    }

    @Override
    public List<String> labels() {
        return delegate.labels();
    }

    @Override
    public List<Scored> predict(List<String> texts) {
        CompletableFuture<List<Scored>> result = new CompletableFuture<>();
        Job job = new Job(texts, result);
        synchronized (lock) {
            // Under the lock close() also takes: a request is either queued before the worker's end marker, and
            // scored, or refused here; none waits behind the marker forever.
            if (closed) {
                throw new ModelClosedException(name + " was evicted and closed");
            }
            if (queue.size() >= limits.maxQueued()) {
                throw limits.queueFull(name);
            }
            queue.add(job);
        }
        try {
            result.get(limits.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Give up: drop the request if it is still queued; if it is being scored, its answer is discarded.
            boolean queued = queue.remove(job);
            result.completeExceptionally(limits.timedOut(name, queued ? "still waiting for the inference thread"
                    : "its forward pass was running")); // no effect if the answer came in the meantime
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(new IllegalStateException("interrupted while scoring with " + name, e));
        } catch (ExecutionException e) {
            // completed exceptionally: unwrapped below
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("scoring with " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    private void run() {
        List<Job> jobs = new ArrayList<>();
        try {
            while (true) {
                Job first = queue.take();
                if (first == POISON) {
                    break;
                }
                if (first.result().isDone()) {
                    continue; // its caller timed out
                }
                jobs.clear();
                jobs.add(first);
                int texts = first.texts().size();
                Job next;
                while (texts < maxBatchTexts && (next = queue.peek()) != null && next != POISON
                        && texts + next.texts().size() <= maxBatchTexts) {
                    queue.poll();
                    if (!next.result().isDone()) {
                        jobs.add(next);
                        texts += next.texts().size();
                    }
                }
                score(jobs, texts);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ModelClosedException gone = new ModelClosedException(name + " was evicted and closed");
            Job j;
            while ((j = queue.poll()) != null) {
                if (j.result() != null) {
                    j.result().completeExceptionally(gone);
                }
            }
            delegate.close();
        }
    }

    private void score(List<Job> jobs, int texts) {
        if (jobs.size() == 1) {
            Job j = jobs.get(0);
            try {
                j.result().complete(delegate.predict(j.texts()));
            } catch (RuntimeException | Error e) {
                // every caller must get an answer, even when the engine fails with an Error
                j.result().completeExceptionally(e);
            }
            return;
        }
        List<String> all = new ArrayList<>(texts);
        for (Job j : jobs) {
            all.addAll(j.texts());
        }
        List<Scored> scored;
        try {
            scored = delegate.predict(all);
        } catch (RuntimeException | Error e) {
            // score separately so one request's failure is not every request's failure
            for (Job j : jobs) {
                score(List.of(j), j.texts().size());
            }
            return;
        }
        int at = 0;
        for (Job j : jobs) {
            int n = j.texts().size();
            j.result().complete(List.copyOf(scored.subList(at, at + n)));
            at += n;
        }
    }

    /** Requests waiting for the inference thread. */
    int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                queue.add(POISON);
            }
        }
    }
}
