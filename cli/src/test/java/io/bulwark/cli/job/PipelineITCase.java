package io.bulwark.cli.job;

import io.bulwark.job.JobOptions;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.avro.SourceOffset;
import io.bulwark.cli.BulwarkCli;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.cli.local.TopicReader;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.model.snapshot.SnapshotFiles;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.train.HeldOutSelector;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** End to end: events in, snapshots, latest snapshots and reports out, for two models in one job. */
class PipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = JobRuns.miniCluster();

    @Test
    void twoModelsTrainAndPublishVersionedSnapshotsWithProvenanceAndReports(@TempDir Path tmp) throws Exception {
        EmbeddedStack stack = SharedStack.get();
        Configuration conf = JobRuns.jobConfig(stack, "pipeline");
        conf.set(JobOptions.HELD_OUT_FRACTION, 0.1);
        TopicLayout layout = JobRuns.createTopics(stack, conf, 2);
        List<LabeledText> spam = TestData.labeledTexts("spam-filter", "s", 160, 11);
        List<LabeledText> intent = TestData.labeledTexts(null, "i", 96, 12);
        List<LabeledText> all = new ArrayList<>();
        for (int i = 0; i < spam.size(); i++) {
            all.add(spam.get(i));
            if (i < intent.size()) {
                all.add(intent.get(i));
            }
        }
        // Through the CLI: a JSONL file with model keys, sent as-is through the registry.
        Path input = tmp.resolve("events.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (LabeledText e : all) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", e.getId());
            m.put("text", e.getText());
            m.put("label", e.getLabel());
            if (e.getModelKey() != null) {
                m.put("modelKey", e.getModelKey());
            }
            lines.add(json.writeValueAsString(m));
        }
        Files.write(input, lines);
        assertThat(BulwarkCli.run("produce", "--bootstrap-servers", stack.bootstrapServers(), "--registry-url",
                stack.registryUrl(), "--topic", layout.input(), "--input", input.toString())).isZero();

        JobRuns.runBounded(conf, Duration.ofMinutes(3));

        RunSummary summary = JobRuns.summary(stack, conf);
        assertThat(summary.lastSnapshots()).containsOnlyKeys("spam-filter", "default");
        assertThat(summary.deadLetterCount()).isZero();
        assertTrainedEverythingNotHeldOut(summary, "spam-filter", spam);
        assertTrainedEverythingNotHeldOut(summary, "default", intent);

        for (String model : List.of("spam-filter", "default")) {
            List<Long> versions = summary.snapshots().stream().filter(h -> h.modelId().equals(model))
                    .map(RunSummary.SnapshotHeader::version).collect(Collectors.toList());
            assertThat(versions).as("versions of %s", model).isNotEmpty().isSorted().doesNotHaveDuplicates();
            assertThat(versions.get(0)).isEqualTo(1L);
            assertThat(versions.get(versions.size() - 1)).isEqualTo((long) versions.size());
            List<Long> reported = summary.reports().stream().filter(r -> r.getModelId().equals(model))
                    .map(RobustnessReport::getVersion).collect(Collectors.toList());
            assertThat(reported).isEqualTo(versions);

            ModelSnapshot last = summary.lastSnapshots().get(model);
            assertThat(last.getTrainingConfig()).containsEntry("strategy.type", "FREEAT");
            assertThat(last.getEncoderConfig()).containsEntry("encoder.buckets", "1024");
            assertThat(last.getSeed()).isEqualTo(7L);
            assertThat(last.getSourceOffsets()).isNotEmpty()
                    .allSatisfy(o -> assertThat(o.getTopic()).isEqualTo(layout.input()));
            // Clean and robust accuracy are in the report: snapshots go out before their evaluation is done.
            assertThat(last.getMetrics()).containsKeys("prequentialAccuracy", "heldOutWindow", "deltaNorm",
                    "teacherDriftKl", "examplesPerSecond");
            RobustnessReport report = summary.lastReports().get(model);
            assertThat(report.getWindowSize()).isPositive();
            assertThat(report.getCleanAccuracy()).isBetween(0.0, 1.0);
            assertThat(report.getRobustAccuracy()).isBetween(0.0, 1.0);
            assertThat(report.getAttack()).startsWith("pgd-2-");
        }
        // Each model learned from its own events only.
        assertThat(summary.lastSnapshots().get("spam-filter").getPayload())
                .isNotEqualTo(summary.lastSnapshots().get("default").getPayload());

        // The compacted topic holds each version again, keyed by model id.
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        List<ConsumerRecord<byte[], byte[]>> latest = TopicReader.readAll(JobRuns.clientProperties(stack),
                layout.latest(), Duration.ofMinutes(1));
        assertThat(latest).hasSameSizeAs(summary.snapshots());
        try (AvroRegistryCodec<ModelSnapshot> codec = AvroRegistryCodec.forClass(ModelSnapshot.class, registry)) {
            ConsumerRecord<byte[], byte[]> lastLatest = latest.get(latest.size() - 1);
            ModelSnapshot decoded = codec.decode(lastLatest.topic(), lastLatest.value());
            assertThat(new String(lastLatest.key(), StandardCharsets.UTF_8)).isEqualTo(decoded.getModelId());
        }

        assertThat(InProcessMetrics.sum(conf.get(JobOptions.JOB_NAME), BulwarkMetrics.EXAMPLES_TRAINED))
                .isEqualTo(summary.eventsTrained());

        // snapshots export writes a file the model module loads into the same network.
        ModelSnapshot last = summary.lastSnapshots().get("spam-filter");
        Path file = tmp.resolve("spam-filter.avro");
        int status = BulwarkCli.run("snapshots", "export", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--topic", layout.snapshots(), "--model", "spam-filter",
                "--version", Long.toString(last.getVersion()), "--out", file.toString());
        assertThat(status).isZero();
        ModelSnapshot exported = SnapshotFiles.read(file);
        assertThat(exported).isEqualTo(last);
        List<String> texts = List.of("win a casino prize now", "lunch meeting about the report");
        try (Learner fromTopic = Snapshots.fromAvro(last, "cpu");
             Learner fromFile = Snapshots.fromAvro(exported, "cpu")) {
            assertThat(fromFile.logits(texts)).isDeepEqualTo(fromTopic.logits(texts));
        }
        assertThat(BulwarkCli.run("snapshots", "--bootstrap-servers", stack.bootstrapServers(), "--registry-url",
                stack.registryUrl(), "--topic", layout.snapshots(), "--reports-topic", layout.reports())).isZero();
    }

    private static void assertTrainedEverythingNotHeldOut(RunSummary summary, String model, List<LabeledText> in) {
        String modelId = model;
        long heldOut = in.stream().filter(e -> HeldOutSelector.isHeldOut(modelId, e.getId(), 0.1)).count();
        ModelSnapshot last = summary.lastSnapshots().get(model);
        assertThat(last.getExamplesSeen()).as("examples trained of %s", model).isEqualTo(in.size() - heldOut);
        assertThat(last.getMetrics().get("eventsHeldOut")).isEqualTo((double) heldOut);
        long offsetsCovered = last.getSourceOffsets().stream().mapToLong(SourceOffset::getOffset).sum();
        assertThat(offsetsCovered).isPositive();
        Map<String, Double> metrics = last.getMetrics();
        assertThat(metrics.get("prequentialAccuracyTotal")).isBetween(0.0, 1.0);
    }
}
