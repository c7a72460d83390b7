package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.cli.BulwarkCli;
import io.bulwark.model.data.BundledCorpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pipeline-bench} in this process on a small model: the bare learner before and after the pipeline, the
 * pipeline on a MiniCluster, checkpoint statistics, and the same final model as the bare learner's.
 */
class PipelineBenchITCase {

    @Test
    void measuresThePipelineAgainstTheBareLearnerOnTheSameEvents(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bench");
        int status = BulwarkCli.run("pipeline-bench", "--events", "240", "--input",
                BundledCorpus.locateSample().toString(), "--no-scaling", "--latency-seconds", "0",
                "--snapshot-every", "3", "--checkpoint-interval", "300ms", "--out-dir", out.toString(),
                "--batch-size", "16", "--buckets", "2048", "--max-length", "32", "--embedding-dim", "16",
                "--hidden-dim", "16", "-Deval.attack.steps=2", "-Dlearner.encoder.charNgrams=0");
        assertThat(status).isZero();

        File[] reports = out.toFile().listFiles((d, name) -> name.startsWith("bench-") && name.endsWith(".json"));
        assertThat(reports).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(reports[0]);
        long trained = json.get("bare").get("events_trained").asLong();
        assertThat(trained).isGreaterThan(200).isLessThanOrEqualTo(240);
        assertThat(json.get("pipeline").get("events_trained").asLong()).isEqualTo(trained);
        assertThat(json.get("bare_after").get("events_trained").asLong()).isEqualTo(trained);
        assertThat(json.get("same_final_model").asBoolean()).as("the pipeline trains what the bare learner trains")
                .isTrue();
        for (String ratio : new String[] {"pipeline_over_bare", "pipeline_over_bare_after"}) {
            assertThat(json.get(ratio).asDouble()).as(ratio).isPositive();
        }
        assertThat(json.get("pipeline").get("snapshots").asLong()).isGreaterThanOrEqualTo(2);
        JsonNode writes = json.get("pipeline").get("operator_checkpoint_writes").get("default");
        assertThat(writes.get("checkpoints_written").asLong()).isPositive();
        assertThat(writes.get("mean_bytes").asDouble()).isPositive();
    }
}
