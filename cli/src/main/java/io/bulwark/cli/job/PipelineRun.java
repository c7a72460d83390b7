package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.LocalFlink;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.JobOptions;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.CommonClientConfigs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One measured run of the bounded job for {@code pipeline-bench}: the events are produced first, then the job reads
 * and trains them on a MiniCluster with the given parallelism. Measures the steady throughput (first to last trained
 * batch), the checkpoints (Flink's statistics, and per model what the training operator wrote and how long its
 * thread took), and reads the published snapshots and reports back.
 */
final class PipelineRun {

    private PipelineRun() {}

    /** Produces {@code data} to the input topic of {@code conf} and runs the job to its end. */
    static Result run(EmbeddedStack stack, Configuration conf, List<LabeledText> data, int parallelism, Path work)
            throws Exception {
        TopicLayout layout = TopicLayout.of(conf, Math.max(1, parallelism), Duration.ofDays(1));
        stack.createTopics(layout);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        Properties client = new Properties();
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             InputProducer producer = new InputProducer(client, codec, layout.input())) {
            List<RawInput> records = new ArrayList<>();
            data.forEach(e -> records.add(new RawInput(e, null, 0, 0)));
            producer.send(records, 0);
        }
        String name = conf.get(JobOptions.JOB_NAME);
        InProcessMetrics.forget(name);
        Result r = new Result();
        r.parallelism = parallelism;
        long submit = System.nanoTime();
        JobClient job = LocalFlink.start(LocalFlink.clusterConfig(parallelism, work.resolve("flink-" + name)), conf);
        try (JobSampler sampler = JobSampler.start(name)) {
            job.getJobExecutionResult().get();
            r.sampler = sampler;
        }
        r.jobSeconds = (System.nanoTime() - submit) / 1e9;
        r.secondsToFirstBatch = (r.sampler.firstBatchAt() - submit) / 1e9;
        r.secondsToLastBatch = (r.sampler.lastBatchAt() - submit) / 1e9;
        Map<String, Double> written = InProcessMetrics.byModel(name, BulwarkMetrics.CHECKPOINTS_WRITTEN);
        Map<String, Double> bytes = InProcessMetrics.byModel(name, BulwarkMetrics.CHECKPOINT_BYTES);
        Map<String, Double> millis = InProcessMetrics.byModel(name, BulwarkMetrics.CHECKPOINT_MILLIS);
        for (String model : new TreeMap<>(written).keySet()) {
            double n = written.get(model);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("checkpoints_written", (long) n);
            m.put("mean_bytes", n == 0 ? null : Math.round(bytes.getOrDefault(model, 0.0) / n));
            m.put("mean_ms", n == 0 ? null : PipelineBenchCommand.round(millis.getOrDefault(model, 0.0) / n));
            r.checkpointsByModel.put(model, m);
        }
        RunSummary s = RunSummary.read(client, registry, layout, Duration.ofMinutes(2));
        r.trained = s.eventsTrained();
        r.snapshots = s.snapshots().size();
        r.reports = s.reports().size();
        r.evaluatedReports = s.reports().stream().filter(rep -> rep.getWindowSize() > 0).count();
        r.lastReports = s.lastReports();
        ModelSnapshot last = s.lastSnapshots().get(conf.get(JobOptions.DEFAULT_MODEL_ID));
        r.finalPayload = last == null ? null : PipelineBenchCommand.bytes(last.getPayload().getBytes());
        return r;
    }

    /** What one run measured. */
    static final class Result {
        int parallelism;
        JobSampler sampler;
        double jobSeconds;
        double secondsToFirstBatch;
        double secondsToLastBatch;
        long trained;
        long snapshots;
        long reports;
        long evaluatedReports;
        Map<String, RobustnessReport> lastReports = Map.of();
        final Map<String, Map<String, Object>> checkpointsByModel = new TreeMap<>();
        byte[] finalPayload;

        double steadyRate() {
            return sampler.steadyRate();
        }

        /** Trained events over the time from submission to the last trained batch (start-up included). */
        double endToEndRate() {
            return trained / secondsToLastBatch;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("parallelism", parallelism);
            m.put("events_trained", trained);
            m.put("job_seconds", PipelineBenchCommand.round(jobSeconds));
            m.put("seconds_to_first_batch", PipelineBenchCommand.round(secondsToFirstBatch));
            m.put("end_to_end_events_per_second", PipelineBenchCommand.round(endToEndRate()));
            m.put("steady_events_per_second", PipelineBenchCommand.round(steadyRate()));
            m.put("snapshots", snapshots);
            m.put("reports", reports);
            m.put("reports_with_evaluation", evaluatedReports);
            m.put("flink_checkpoints", sampler.checkpointJson());
            m.put("operator_checkpoint_writes", checkpointsByModel);
            return m;
        }
    }
}
