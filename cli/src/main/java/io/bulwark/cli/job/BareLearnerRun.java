package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.JobOptions;
import io.bulwark.job.train.DjlLock;
import io.bulwark.job.train.HeldOutSelector;
import io.bulwark.job.train.TrainerSettings;
import io.bulwark.job.validate.EventValidator;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.learner.Snapshots;
import org.apache.flink.configuration.Configuration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bare-learner side of {@code pipeline-bench}: the same configuration, validation, held-out split and batches as
 * the training operator, in one thread with no Flink and no Kafka, and nothing but training (no snapshots, no
 * evaluation, no checkpoints): the learner's training throughput the pipeline is held against. The final model is
 * exported after the clock stops, to compare it with the pipeline's bit for bit.
 */
final class BareLearnerRun {

    private BareLearnerRun() {}

    /** Trains on {@code data} as the job would, without Flink or Kafka. */
    static Result run(List<LabeledText> data, TrainerSettings settings, Configuration conf) {
        LearnerConfig config = settings.learnerConfig();
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
                continue;
            }
            m.pending.add(example);
            if (m.pending.size() >= settings.batchSize()) {
                result.trained += m.train(result);
            }
        }
        for (BareModel m : models.values()) {
            if (!m.pending.isEmpty()) {
                result.trained += m.train(result);
            }
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        BareModel first = models.get(defaultModel);
        result.finalPayload = first == null ? null : PipelineBenchCommand.bytes(DjlLock.locked(() ->
                Snapshots.toAvro(first.learner, defaultModel, first.batches, null, List.of(), Map.of()))
                .getPayload().getBytes());
        models.values().forEach(m -> DjlLock.locked(m.learner::close));
        return result;
    }

    /** One model of the bare run. */
    private static final class BareModel {
        final Learner learner;
        final List<Example> pending = new ArrayList<>();
        long batches;

        BareModel(Learner learner) {
            this.learner = learner;
        }

        int train(Result result) {
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
