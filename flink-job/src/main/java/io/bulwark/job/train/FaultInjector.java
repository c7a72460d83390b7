package io.bulwark.job.train;

/**
 * {@code fault.fail-after-batches}: fails the first attempt of a subtask once it has trained that many batches and
 * completed a checkpoint, so recovery tests fail a job at a known point; later attempts never fail.
 */
final class FaultInjector {

    private final int failAfterBatches;
    private final int attempt;
    private long batchesThisAttempt;
    private long checkpointsCompleted;
    private boolean injected;

    FaultInjector(int failAfterBatches, int attempt) {
        this.failAfterBatches = failAfterBatches;
        this.attempt = attempt;
    }

    /** Counts a completed checkpoint. */
    void checkpointCompleted() {
        checkpointsCompleted++;
    }

    /** Counts a trained batch and throws {@link TrainingOperator.InjectedFault} when it is time. */
    void afterBatch() {
        if (failAfterBatches <= 0 || injected || attempt > 0) {
            return;
        }
        batchesThisAttempt++;
        if (batchesThisAttempt >= failAfterBatches && checkpointsCompleted > 0) {
            injected = true;
            throw new TrainingOperator.InjectedFault("Injected failure after " + batchesThisAttempt
                    + " batches and " + checkpointsCompleted + " completed checkpoint(s) (fault.fail-after-batches="
                    + failAfterBatches + ")");
        }
    }
}
