package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.JobOptions;
import io.bulwark.job.train.DjlLock;
import io.bulwark.job.train.HeldOutSelector;
import io.bulwark.job.train.TrainerSettings;
import io.bulwark.job.validate.EventValidator;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.learner.Snapshots;
import org.apache.flink.configuration.Configuration;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bare-learner side of {@code pipeline-bench}: the same configuration, validation, held-out split, batches and
 * snapshot evaluations as the training operator, in one thread with no Flink and no Kafka.
 */
final class BareLearnerRun {

    private BareLearnerRun() {}

    /** Trains on {@code data} as the job would, without Flink or Kafka. */
    static Result run(List<LabeledText> data, TrainerSettings settings, Configuration conf) {
        LearnerConfig config = settings.learnerConfig();
        PgdAttack attack = settings.attack(config);
        // Same libtorch threading as the training operator (see DjlLock).
        DjlLock.setIntraOpThreads(settings.intraOpThreads());
        String defaultModel = conf.get(JobOptions.DEFAULT_MODEL_ID);
        int maxText = conf.get(JobOptions.MAX_TEXT_LENGTH);
        Map<String, BareModel> models = new LinkedHashMap<>();
        Result result = new Result();
        long start = System.nanoTime();
        for (LabeledText e : data) {
            if (EventValidator.problem(e.getText(), e.getWeight(), maxText) != null) {
                continue;
            }
            String modelId = e.getModelKey() == null || e.getModelKey().isBlank() ? defaultModel : e.getModelKey();
            BareModel m = models.computeIfAbsent(modelId,
                    id -> new BareModel(DjlLock.locked(() -> Learner.create(config, "cpu"))));
            String label = e.getLabel() == null || e.getLabel().isEmpty() ? null : e.getLabel();
            Example example = new Example(e.getText(), label, e.getWeight() == null ? 1f : e.getWeight());
            if (label != null && HeldOutSelector.isHeldOut(modelId, e.getId(), settings.heldOutFraction())) {
                m.reservoir.addLast(example);
                while (m.reservoir.size() > settings.reservoirSize()) {
                    m.reservoir.removeFirst();
                }
                continue;
            }
            m.pending.add(example);
            if (m.pending.size() >= settings.batchSize()) {
                result.trained += m.train(result, start);
                if (settings.snapshotEveryBatches() > 0 && m.batches % settings.snapshotEveryBatches() == 0) {
                    m.snapshot(modelId, attack);
                }
            }
        }
        for (Map.Entry<String, BareModel> e : models.entrySet()) {
            BareModel m = e.getValue();
            if (!m.pending.isEmpty()) {
                result.trained += m.train(result, start);
            }
            m.snapshot(e.getKey(), attack);
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        BareModel first = models.get(defaultModel);
        result.finalPayload = first == null ? null : PipelineBenchCommand.bytes(first.lastSnapshot.getPayload().getBytes());
        models.values().forEach(m -> DjlLock.locked(m.learner::close));
        return result;
    }

    /** One model of the bare run. */
    private static final class BareModel {
        final Learner learner;
        final List<Example> pending = new ArrayList<>();
        final Deque<Example> reservoir = new ArrayDeque<>();
        long batches;
        ModelSnapshot lastSnapshot;

        BareModel(Learner learner) {
            this.learner = learner;
        }

        int train(Result result, long start) {
            List<Example> batch = new ArrayList<>(pending);
            int n = DjlLock.locked(() -> learner.train(batch)).examples();
            pending.clear();
            batches++;
            long now = System.nanoTime();
            if (result.firstBatchEnd < 0) {
                result.firstBatchEnd = now;
                result.firstBatchExamples = n;
            }
            result.lastBatchEnd = now;
            return n;
        }

        void snapshot(String modelId, PgdAttack attack) {
            DjlLock.locked(() -> snapshotLocked(modelId, attack));
        }

        private void snapshotLocked(String modelId, PgdAttack attack) {
            List<Example> window = new ArrayList<>();
            for (Example e : reservoir) {
                if (learner.labels().contains(e.label())) {
                    window.add(e);
                }
            }
            if (!window.isEmpty()) {
                learner.evaluate(window, attack);
                learner.teacherDriftKl(window);
            }
            ModelSnapshot s = Snapshots.toAvro(learner, modelId, batches, null, List.of(), Map.of());
            if (lastSnapshot != null && !window.isEmpty() && lastSnapshot.getLabels().equals(learner.labels())) {
                try (Learner previous = Snapshots.fromAvro(lastSnapshot, "cpu")) {
                    learner.driftKl(previous, window);
                }
            }
            lastSnapshot = s;
        }
    }

    /** What the bare run measured. */
    static final class Result {
        long trained;
        double seconds;
        long firstBatchEnd = -1;
        long lastBatchEnd;
        int firstBatchExamples;
        byte[] finalPayload;

        double steadyRate() {
            double s = (lastBatchEnd - firstBatchEnd) / 1e9;
            return s <= 0 ? Double.NaN : (trained - firstBatchExamples) / s;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("events_trained", trained);
            m.put("seconds", PipelineBenchCommand.round(seconds));
            m.put("events_per_second", PipelineBenchCommand.round(trained / seconds));
            m.put("steady_events_per_second", PipelineBenchCommand.round(steadyRate()));
            return m;
        }
    }
}
