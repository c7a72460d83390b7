package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Snapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the next version of a model on the training thread: the {@link ModelSnapshot} of its learner as it is now,
 * with provenance and the training metrics since the previous version, and the held-out window to evaluate it on.
 * Advances the slot's version and resets its since-last-snapshot counters. What is slow (encoding, robustness
 * evaluation, drift, attack suite) is left to the {@link SnapshotEvaluator}, on other threads.
 */
final class SnapshotCapture {

    private SnapshotCapture() {
    }

    /**
     * Captures the next version of the slot's model at processing time {@code now}; {@code clock} is the current
     * processing time for the throughput figure; {@code evaluate} says whether its robustness is to be evaluated.
     */
    static EvaluationRequest capture(ModelSlot slot, long now, long clock, boolean evaluate) {
        ModelProgress p = slot.progress;
        long version = p.version + 1;
        Long parent = p.version > 0 ? p.version : null;

        List<HeldOutEvent> windowEvents = new ArrayList<>();
        List<Example> window = evaluate ? slot.evaluationWindow(windowEvents) : List.of();
        double preqSince = p.sinceLabeled == 0 ? Double.NaN : (double) p.sinceCorrect / p.sinceLabeled;
        double lossMean = p.sinceLossCount == 0 ? Double.NaN : p.sinceLossSum / p.sinceLossCount;
        double deltaMean = p.sinceBatches == 0 ? 0.0 : p.sinceDeltaNormSum / p.sinceBatches;
        double driftMean = p.sinceBatches == 0 ? 0.0 : p.sinceTeacherDriftSum / p.sinceBatches;
        long elapsedMs = p.sinceFirstBatchAt < 0 ? 0 : Math.max(1, clock - p.sinceFirstBatchAt);
        double examplesPerSecond = elapsedMs == 0 ? 0.0 : p.sinceExamples * 1000.0 / elapsedMs;

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("prequentialAccuracy", preqSince);
        metrics.put("prequentialAccuracyTotal", p.prequentialAccuracy());
        // Clean and robust accuracy are in the version's RobustnessReport, evaluated after the snapshot is out.
        metrics.put("heldOutWindow", (double) window.size());
        metrics.put("loss", lossMean);
        metrics.put("deltaNorm", deltaMean);
        metrics.put("teacherDriftKl", driftMean);
        metrics.put("skippedBatches", (double) p.skippedBatches);
        metrics.put("examplesPerSecond", examplesPerSecond);
        metrics.put("eventsHeldOut", (double) p.heldOut);
        metrics.put("deadLetters", (double) p.deadLetters);
        metrics.put("eventsUnlabeled", (double) p.unlabeled);

        ModelSnapshot snapshot = DjlLock.locked(() -> Snapshots.toAvro(slot.learner, slot.modelId, version, parent,
                p.sourceOffsets(), metrics));
        long windowStart = windowEvents.stream().mapToLong(e -> e.eventTime).min().orElse(0L);
        long windowEnd = windowEvents.stream().mapToLong(e -> e.eventTime).max().orElse(0L);
        EvaluationRequest request = new EvaluationRequest(slot.modelId, version, now, evaluate, snapshot,
                slot.previous, window, windowStart, windowEnd, preqSince, lossMean, deltaMean, p.skippedBatches,
                examplesPerSecond);

        slot.previous = snapshot;
        slot.previousDirty = true;
        p.version = version;
        p.resetSinceSnapshot(now);
        slot.dirty = true;
        return request;
    }
}
