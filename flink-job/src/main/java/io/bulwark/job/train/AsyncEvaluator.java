package io.bulwark.job.train;

import io.bulwark.job.sink.Publication;
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
 * Publishes captured versions off the training thread, in two lanes: one thread encodes each snapshot's records
 * (no learner call, so snapshots go out soon after they are taken), another runs the {@link SnapshotEvaluator}'s
 * evaluation and encodes the report. The training thread never waits for either.
 *
 * <p>The training thread submits each captured version and collects what is finished ({@link #completed()}); only
 * it touches the queue. Per model, snapshots come out in version order, and each report after its snapshot, also in
 * version order. A version stays queued until its report is collected; what is queued at a checkpoint is the
 * operator's to store ({@link #pending(String)}, with {@link EvaluationRequest#snapshotPublished} saying which of its
 * records were already emitted before the barrier). This is what makes each version's records exactly-once.
 */
final class AsyncEvaluator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncEvaluator.class);

    /** Called on the evaluation thread before each evaluation: a seam for tests. */
    interface Hook extends Serializable {
        /** Runs before {@code request} is evaluated. */
        void beforeEvaluation(EvaluationRequest request) throws Exception;
    }

    /** Records to emit, with the evaluation they come from (null for a snapshot's records). */
    record Emission(List<Publication> records, SnapshotEvaluator.Result evaluation) {}

    private static final class InFlight {
        final EvaluationRequest request;
        final Future<List<Publication>> snapshot;
        final Future<SnapshotEvaluator.Result> report;

        InFlight(EvaluationRequest request, Future<List<Publication>> snapshot,
                 Future<SnapshotEvaluator.Result> report) {
            this.request = request;
            this.snapshot = snapshot;
            this.report = report;
        }
    }

    private final SnapshotEvaluator evaluator;
    private final Hook hook;
    private final ExecutorService encoding;
    private final ExecutorService evaluation;
    private final Deque<InFlight> queue = new ArrayDeque<>();
    private final Set<String> changed = new LinkedHashSet<>();

    AsyncEvaluator(SnapshotEvaluator evaluator, Hook hook, String threadPrefix) {
        this.evaluator = evaluator;
        this.hook = hook;
        this.encoding = singleThread(threadPrefix + "-snapshots");
        this.evaluation = singleThread(threadPrefix + "-evaluation");
    }

    private static ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a captured version; {@code restored} when it comes back from a checkpoint (its state is unchanged). */
    void submit(EvaluationRequest request, boolean restored) {
        Future<List<Publication>> snapshot = request.snapshotPublished ? null
                : encoding.submit(() -> evaluator.snapshotRecords(request));
        Future<SnapshotEvaluator.Result> report = evaluation.submit(() -> {
            if (hook != null) {
                hook.beforeEvaluation(request);
            }
            return evaluator.evaluate(request);
        });
        queue.addLast(new InFlight(request, snapshot, report));
        if (!restored) {
            changed.add(request.modelId);
        }
    }

    /** Versions with a robustness evaluation that are queued or running. */
    int evaluationsInFlight() {
        int n = 0;
        for (InFlight f : queue) {
            if (f.request.evaluate && !f.report.isDone()) {
                n++;
            }
        }
        return n;
    }

    /** Captured versions whose report was not collected yet. */
    int size() {
        return queue.size();
    }

    /** Whether nothing waits to be collected. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Removes and returns what is finished, in publication order; never blocks. */
    List<Emission> completed() {
        return collect(false);
    }

    /**
     * Waits for every queued version and returns its records, in publication order. Called when nothing trains any
     * more, so evaluation stops keeping to the duty cycle.
     */
    List<Emission> awaitAll() {
        evaluator.liftDutyCycle();
        return collect(true);
    }

    private List<Emission> collect(boolean wait) {
        List<Emission> out = new ArrayList<>();
        for (InFlight f : queue) {
            if (f.request.snapshotPublished) {
                continue;
            }
            if (!wait && !f.snapshot.isDone()) {
                break;
            }
            out.add(new Emission(get(f.snapshot, f.request), null));
            f.request.snapshotPublished = true;
            f.request.release();
            changed.add(f.request.modelId);
        }
        while (!queue.isEmpty() && queue.peekFirst().request.snapshotPublished
                && (wait || queue.peekFirst().report.isDone())) {
            InFlight f = queue.removeFirst();
            SnapshotEvaluator.Result r = get(f.report, f.request);
            out.add(new Emission(List.of(r.report()), r));
            changed.add(f.request.modelId);
        }
        return out;
    }

    private static <T> T get(Future<T> future, EvaluationRequest request) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted waiting for the records of " + request, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Publishing " + request + " failed", e.getCause());
        }
    }

    /** The versions of {@code modelId} whose report was not collected yet, oldest first. */
    List<EvaluationRequest> pending(String modelId) {
        List<EvaluationRequest> out = new ArrayList<>();
        for (InFlight f : queue) {
            if (f.request.modelId.equals(modelId)) {
                out.add(f.request);
            }
        }
        return out;
    }

    /** Returns and forgets the models whose pending versions changed since the previous call. */
    Set<String> takeChanged() {
        Set<String> out = new LinkedHashSet<>(changed);
        changed.clear();
        return out;
    }

    /** Stops both threads (interrupting a running evaluation) and closes the evaluator's learners. */
    @Override
    public void close() {
        encoding.shutdownNow();
        evaluation.shutdownNow();
        try {
            if (!evaluation.awaitTermination(60, TimeUnit.SECONDS)
                    || !encoding.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("Publication threads did not stop within 60 s; the evaluator's learners are left open");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        evaluator.close();
    }
}
