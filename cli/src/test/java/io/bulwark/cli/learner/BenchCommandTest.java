package io.bulwark.cli.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.model.LearnerConfig.StrategyType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void timesEachVariantAndCountsItsPasses() throws Exception {
        Path output = dir.resolve("bench.json");
        TrainCommandTest.Run run = TrainCommandTest.run("bench", "--encoders", "pooled",
                "--variants", "natural,freeat-3,pgd-2", "--batches", "2", "--warmup", "1", "--batch-size", "8",
                "--progress", "off", "--output", output.toString());

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("examples/s", "ms/pass", "time vs natural", "freeat-3", "pgd-2");
        JsonNode results = new ObjectMapper().readTree(output.toFile()).get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("variant").asText()).isEqualTo("natural");
        assertThat(results.get(0).get("passes_per_batch").asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(results.get(0).get("time_vs_natural").asDouble()).isCloseTo(1.0, within(1e-9));
        // FreeAT-m costs m passes per batch; PGD-K costs K ascent passes plus the update pass.
        assertThat(results.get(1).get("passes_per_batch").asDouble()).isCloseTo(3.0, within(1e-9));
        assertThat(results.get(2).get("passes_per_batch").asDouble()).isCloseTo(3.0, within(1e-9));
        for (JsonNode row : results) {
            assertThat(row.get("examples_per_second").asDouble()).isPositive();
            assertThat(row.get("ms_per_pass").asDouble()).isPositive();
            assertThat(row.get("ms_per_step").asDouble()).isPositive();
            // One device-to-host read per step, whatever the passes; more native operators for more passes.
            assertThat(row.get("host_syncs_per_step").asDouble()).isCloseTo(1.0, within(1e-9));
            assertThat(row.get("native_ops_per_step").asDouble()).isPositive();
            // The step's text encoding, timed apart on the same batches, is part of the step.
            assertThat(row.get("encode_ms_per_step").asDouble()).isPositive()
                    .isLessThan(row.get("ms_per_step").asDouble());
            assertThat(row.get("examples_per_second_without_encoding").asDouble())
                    .isGreaterThan(row.get("examples_per_second").asDouble());
        }
        assertThat(results.get(1).get("native_ops_per_step").asDouble())
                .isGreaterThan(2 * results.get(0).get("native_ops_per_step").asDouble());
        assertThat(run.out()).contains("ms/step", "encode ms/step", "ex/s without encode", "native ops/step",
                "host syncs/step");
    }

    @Test
    void severalLearnersAtOnceReportTheirTotalAndScaling() throws Exception {
        Path output = dir.resolve("bench-learners.json");
        TrainCommandTest.Run run = TrainCommandTest.run("bench", "--encoders", "pooled", "--variants", "natural",
                "--batches", "2", "--warmup", "1", "--batch-size", "8", "--threads", "1", "--learners", "2",
                "--progress", "off", "--output", output.toString());

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("2 learners ex/s", "scaling");
        JsonNode row = new ObjectMapper().readTree(output.toFile()).get("results").get(0);
        assertThat(row.get("learners").asInt()).isEqualTo(2);
        assertThat(row.get("concurrent_examples_per_second").asDouble()).isPositive();
        assertThat(row.get("scaling_vs_one_learner").asDouble()).isPositive();
        // Linux's schedstat: the share of the wall time the learner threads could run (1 when nothing blocks them).
        assertThat(row.get("runnable_share").asDouble()).isPositive().isLessThanOrEqualTo(1.2);
    }

    @Test
    void variantsParseAndBadOnesAreRejected() {
        BenchCommand.Variant v = BenchCommand.Variant.parse("FreeAT-4+bregman+smart");
        assertThat(v.strategy()).isEqualTo(StrategyType.FREEAT);
        assertThat(v.steps()).isEqualTo(4);
        assertThat(v.bregman()).isTrue();
        assertThat(v.smart()).isTrue();
        assertThat(BenchCommand.Variant.parse("natural").steps()).isEqualTo(1);
        assertThatThrownBy(() -> BenchCommand.Variant.parse("pgd")).hasMessageContaining("needs its step count");
        assertThatThrownBy(() -> BenchCommand.Variant.parse("adam-3")).hasMessageContaining("Unknown strategy");
        assertThatThrownBy(() -> BenchCommand.Variant.parse("freeat-4+dropout")).hasMessageContaining("+dropout");

        TrainCommandTest.Run bad = TrainCommandTest.run("bench", "--variants", "freeat-x");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("Bad step count in variant 'freeat-x'");
    }
}
