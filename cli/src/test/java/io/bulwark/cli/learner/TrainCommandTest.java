package io.bulwark.cli.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.cli.BulwarkCli;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.Prediction;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.snapshot.SnapshotFiles;
import io.bulwark.model.learner.Snapshots;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BulwarkCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainsOnTheSampleAndWritesTheReportAndALoadableSnapshot() throws Exception {
        Path report = dir.resolve("report.json");
        Path model = dir.resolve("model.avro");
        Run run = run("train", "--input", BundledCorpus.locateSample().toString(), "--order", "shuffled",
                "--limit", "160", "--heldout-fraction", "0.25", "--strategy", "freeat", "--steps", "2",
                "--batch-size", "16", "--attack-steps", "2", "--progress", "lines", "--report", report.toString(),
                "--save", model.toString());

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.err()).contains("train 100% 120/120").contains("eval 100% 40/40");
        assertThat(run.out()).contains("prequential accuracy", "held-out accuracy", "robust accuracy (pgd-2-");

        JsonNode r = JSON.readTree(report.toFile());
        assertThat(r.get("strategy").asText()).startsWith("freeat-2");
        assertThat(r.get("examples").asLong()).isEqualTo(120);
        assertThat(r.get("heldout_examples").asLong()).isEqualTo(40);
        assertThat(r.get("labels")).extracting(JsonNode::asText).containsExactly("ham", "spam");
        assertThat(r.get("prequential_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(r.get("heldout_accuracy").asDouble()).isBetween(0.0, 1.0);
        double robust = r.get("robust_accuracy").asDouble();
        assertThat(robust).isBetween(0.0, r.get("heldout_accuracy").asDouble() + 1e-9);
        assertThat(r.get("examples_per_second").asDouble()).isPositive();
        // FreeAT-m: every example goes through exactly m forward/backward passes.
        assertThat(r.get("passes_per_example").asDouble()).isCloseTo(2.0, within(1e-9));
        assertThat(r.get("batches").asLong()).isEqualTo(8);
        assertThat(r.get("passes").asLong()).isEqualTo(16);
        // Naive Bayes learns this stream well above chance.
        assertThat(r.at("/naive_bayes/prequential_accuracy").asDouble()).isGreaterThan(0.6);
        assertThat(r.at("/naive_bayes/heldout_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(r.at("/naive_bayes_same_tokens/prequential_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(r.get("config").size()).isGreaterThan(10);
        assertThat(r.get("seed").isNumber()).isTrue();
        assertThat(r.get("wall_time_seconds").asDouble()).isPositive();
        assertThat(r.get("prequential_curve").size()).isBetween(1, 20);
        assertThat(r.get("attacks").size()).isEqualTo(10);
        for (String a : List.of("typo", "separator", "good-words", "hotflip", "embedding-pgd")) {
            assertThat(r.at("/attacks/" + a + "/accuracy").asDouble()).as(a)
                    .isBetween(0.0, r.at("/attacks/" + a + "/clean_accuracy").asDouble() + 1e-9);
            assertThat(r.at("/attacks/" + a).has("success_rate")).isTrue();
        }
        assertThat(r.at("/attacks/leet/queries").asDouble()).isPositive();
        assertThat(r.get("prequential_curve").get(r.get("prequential_curve").size() - 1).get("examples").asLong())
                .isEqualTo(120);

        ModelSnapshot snapshot = SnapshotFiles.read(model);
        assertThat(snapshot.getLabels()).extracting(CharSequence::toString).containsExactly("ham", "spam");
        try (Learner loaded = Snapshots.fromAvro(snapshot, "cpu")) {
            List<Prediction> p = loaded.predict(List.of("cheap meds online now", "meeting notes attached"));
            assertThat(p).hasSize(2);
            assertThat(p.get(0).probabilities()[0] + p.get(0).probabilities()[1]).isCloseTo(1f, within(1e-4f));
        }

        Path attackReport = dir.resolve("attack.json");
        Run attack = run("attack", "--model", model.toString(), "--input", BundledCorpus.locateSample().toString(),
                "--max-texts", "8", "--report", attackReport.toString());
        assertThat(attack.exitCode()).as("stderr: %s", attack.err()).isZero();
        assertThat(attack.out()).contains("acc. under attack", "homoglyph", "good-words", "embedding-pgd");
        JsonNode a = JSON.readTree(attackReport.toFile());
        assertThat(a.at("/attacks/zero-width/examples").asInt()).isEqualTo(8);
        assertThat(a.at("/config/encoder.normalization").asText()).isEqualTo("DEOBFUSCATE");
    }

    @Test
    void trainsOnACsvWithNamedColumnsAndThreeClasses() throws Exception {
        StringBuilder csv = new StringBuilder("id,body,topic\n");
        String[][] classes = {{"sports", "match goal team score"}, {"cooking", "recipe oven flour bake"},
            {"travel", "flight hotel beach \"visa\", passport"}};
        for (int i = 0; i < 48; i++) {
            String[] c = classes[i % 3];
            csv.append(i).append(",\"").append(c[1].replace("\"", "\"\"")).append(" line ").append(i)
                    .append("\nsecond line\",").append(c[0]).append('\n');
        }
        Path file = dir.resolve("topics.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        Path report = dir.resolve("topics.json");

        Run run = run("train", "--input", file.toString(), "--text-column", "body", "--label-column", "topic",
                "--strategy", "natural", "--bregman", "0", "--batch-size", "8", "--attack-steps", "0",
                "--heldout-fraction", "0.25", "--progress", "off", "--report", report.toString());

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        JsonNode r = JSON.readTree(report.toFile());
        assertThat(r.get("labels")).extracting(JsonNode::asText).containsExactly("cooking", "sports", "travel");
        assertThat(r.get("strategy").asText()).isEqualTo("natural");
        assertThat(r.get("examples").asLong()).isEqualTo(36);
        assertThat(r.get("heldout_examples").asLong()).isEqualTo(12);
        assertThat(r.get("passes_per_example").asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(r.get("robust_accuracy").isNull()).isTrue();
        assertThat(r.get("attack").isNull()).isTrue();
        assertThat(r.at("/naive_bayes/heldout_accuracy").asDouble()).isEqualTo(1.0);
    }

    @Test
    void badArgumentsGiveAUsageErrorAndExitCodeTwo() {
        Run strategy = run("train", "--strategy", "bogus");
        assertThat(strategy.exitCode()).isEqualTo(2);
        assertThat(strategy.err()).contains("Invalid value 'bogus' for strategy.type (--strategy",
                "expected one of [NATURAL, PGD, FREEAT, FREELB, YOPO]");

        Run fraction = run("train", "--heldout-fraction", "1.5");
        assertThat(fraction.exitCode()).isEqualTo(2);
        assertThat(fraction.err()).contains("--heldout-fraction must be in [0, 1), got 1.5");

        Run device = run("train", "--device", "tpu");
        assertThat(device.exitCode()).isEqualTo(2);
        assertThat(device.err()).contains("--device must be cpu, gpu or gpu:N, got 'tpu'");

        Run missing = run("train", "--input", dir.resolve("nope.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");

        Run setting = run("train", "--input", BundledCorpus.locateSample().toString(), "--set", "noSuchKey=1");
        assertThat(setting.exitCode()).isEqualTo(2);
        assertThat(setting.err()).contains("Unknown learner parameter 'noSuchKey' in --set");

        Run invalid = run("train", "--input", BundledCorpus.locateSample().toString(), "--batch-size", "0");
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains("Invalid learner settings");

        Run none = run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing subcommand");

        Run unknown = run("fly");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument", "fly");
    }

    @Test
    void malformedInputStopsWithTheLineNumberUnlessSkipped() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append(i == 5 ? "{broken\n" : "{\"text\":\"t" + i + "\",\"label\":\"" + (i % 2 == 0 ? "a" : "b") + "\"}\n");
        }
        Files.writeString(file, lines);

        Run failed = run("train", "--input", file.toString(), "--progress", "off");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("bad.jsonl:6:", "not valid JSON");

        Path report = dir.resolve("bad.json");
        Run skipped = run("train", "--input", file.toString(), "--skip-malformed", "--strategy", "natural",
                "--batch-size", "4", "--attack-steps", "0", "--progress", "off", "--report", report.toString());
        assertThat(skipped.exitCode()).as("stderr: %s", skipped.err()).isZero();
        assertThat(skipped.err()).contains("skipped 1 malformed record(s)", "bad.jsonl:6:");
        assertThat(JSON.readTree(report.toFile()).get("skipped_records").asLong()).isEqualTo(1);
    }

    @Test
    void helpListsOptionsWithTheirDefaults() {
        Run help = run("train", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--strategy", "--steps", "--epsilon", "--bregman", "--ema-momentum",
                "--smart", "--encoder", "--heldout-fraction", "--device", "--limit", "--report", "--save",
                "default: FREEAT", "default: original", "--set");
        Run bench = run("bench", "--help");
        assertThat(bench.exitCode()).isZero();
        assertThat(bench.out()).contains("--encoders", "--variants", "--batches", "--warmup", "--output");
    }
}
