package io.bulwark.job.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link SnapshotEvaluator} on its own thread, so that the training thread never waits for an evaluation,
 * and hands the results back to the training thread in capture order.
 *
 * <p>The training thread submits each captured version and collects finished ones ({@link #completed()}); only it
 * touches the queue. Requests not yet collected are the operator's to checkpoint ({@link #pending(String)}): a
 * version is in exactly one of the states "in the queue" (and so in the checkpoint) or "emitted before the
 * checkpoint's barrier", which is what makes each version's records exactly-once.
 */
final class AsyncEvaluator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncEvaluator.class);

    /** Called on the evaluation thread before each request: a seam for tests. */
    interface Hook extends Serializable {
        /** Runs before {@code request} is evaluated. */
        void beforeEvaluation(EvaluationRequest request) throws Exception;
    }

    private record InFlight(EvaluationRequest request, Future<SnapshotEvaluator.Result> result) {}

    private final SnapshotEvaluator evaluator;
    private final Hook hook;
    private final ExecutorService worker;
    private final Deque<InFlight> queue = new ArrayDeque<>();
    private final Set<String> changed = new LinkedHashSet<>();

    AsyncEvaluator(SnapshotEvaluator evaluator, Hook hook, String threadName) {
        this.evaluator = evaluator;
        this.hook = hook;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a captured version; {@code restored} when it comes back from a checkpoint (its state is unchanged). */
    void submit(EvaluationRequest request, boolean restored) {
        queue.addLast(new InFlight(request, worker.submit(() -> {
            if (hook != null) {
                hook.beforeEvaluation(request);
            }
            return evaluator.evaluate(request);
        })));
        if (!restored) {
            changed.add(request.modelId);
        }
    }

    /** Versions with a robustness evaluation that are queued or running. */
    int evaluationsInFlight() {
        int n = 0;
        for (InFlight f : queue) {
            if (f.request.evaluate && !f.result.isDone()) {
                n++;
            }
        }
        return n;
    }

    /** Captured versions not collected yet. */
    int size() {
        return queue.size();
    }

    /** Whether nothing waits to be collected. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Removes and returns the finished results at the head of the queue, oldest first; never blocks. */
    List<SnapshotEvaluator.Result> completed() {
        List<SnapshotEvaluator.Result> out = new ArrayList<>();
        while (!queue.isEmpty() && queue.peekFirst().result.isDone()) {
            out.add(take());
        }
        return out;
    }

    /** Waits for every queued request and returns the results, oldest first. */
    List<SnapshotEvaluator.Result> awaitAll() {
        List<SnapshotEvaluator.Result> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            out.add(take());
        }
        return out;
    }

    private SnapshotEvaluator.Result take() {
        InFlight f = queue.removeFirst();
        changed.add(f.request.modelId);
        try {
            return f.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted waiting for the evaluation of " + f.request, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Evaluation of " + f.request + " failed", e.getCause());
        }
    }

    /** The requests of {@code modelId} not collected yet, oldest first. */
    List<EvaluationRequest> pending(String modelId) {
        List<EvaluationRequest> out = new ArrayList<>();
        for (InFlight f : queue) {
            if (f.request.modelId.equals(modelId)) {
                out.add(f.request);
            }
        }
        return out;
    }

    /** Returns and forgets the models whose pending requests changed since the previous call. */
    Set<String> takeChanged() {
        Set<String> out = new LinkedHashSet<>(changed);
        changed.clear();
        return out;
    }

    /** Stops the evaluation thread (interrupting a running evaluation) and closes the evaluator's learners. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("Evaluation thread did not stop within 60 s; its learners are left open");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        evaluator.close();
    }
}
