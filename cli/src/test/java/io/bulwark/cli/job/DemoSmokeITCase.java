package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.cli.BulwarkCli;
import io.bulwark.model.data.BundledCorpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code demo --events 300} in this process on the bundled sample: broker, registry, MiniCluster, report. */
class DemoSmokeITCase {

    @Test
    void demoRunsTheWholeStackAndWritesItsReport(@TempDir Path tmp) throws Exception {
        Path report = tmp.resolve("report.json");
        int status = BulwarkCli.run("demo", "--events", "300", "--input", BundledCorpus.locateSample().toString(),
                "--order", "shuffled", "--report", report.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--quiet", "--serve-port", "0", "--batch-size", "16", "--snapshot-every", "6", "--checkpoint-interval", "500ms",
                "--buckets", "2048", "--max-length", "32", "--embedding-dim", "16", "--hidden-dim", "16",
                "-Deval.attack.steps=2", "-Dlearner.encoder.charNgrams=0");
        assertThat(status).isZero();

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.fieldNames()).toIterable().contains("events_produced", "events_trained", "dead_letters",
                "snapshots_published", "last_version", "prequential_accuracy", "robust_accuracy",
                "events_per_second");
        long produced = json.get("events_produced").asLong();
        long trained = json.get("events_trained").asLong();
        long heldOut = json.get("events_held_out").asLong();
        long dead = json.get("dead_letters").asLong();
        assertThat(produced).isEqualTo(300);
        assertThat(trained + heldOut + dead).isEqualTo(produced);
        assertThat(trained).isGreaterThan(250);
        assertThat(json.get("snapshots_published").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(json.get("last_version").asLong()).isEqualTo(json.get("snapshots_published").asLong());
        assertThat(json.get("prequential_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("robust_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("events_per_second").asDouble()).isPositive();
        // The serving process started beside the job loaded published snapshots from Kafka and scored with one
        // (the last, unless its robustness gate kept an earlier one on arm A).
        assertThat(json.get("serving_url").asText()).startsWith("http://127.0.0.1:");
        assertThat(json.get("serving_version").asLong()).isBetween(1L, json.get("last_version").asLong());
        // Every gate decision is in the report with its reason; a version A does not serve was not passed.
        JsonNode gate = json.get("gate_decisions");
        assertThat(gate.isArray()).isTrue();
        for (JsonNode d : gate) {
            assertThat(d.get("outcome").asText()).isIn("passed", "waiting", "blocked");
            assertThat(d.get("reason").asText()).isNotBlank();
            // a decision on the canary set carries the paired statistics behind it
            if (d.path("basis").asText().equals("canary")) {
                for (String kind : new String[] {"clean", "robust"}) {
                    JsonNode p = d.get(kind);
                    assertThat(p).as("%s statistics of %s", kind, d).isNotNull();
                    assertThat(p.get("n").asInt()).isBetween(1, d.get("canaryVersion").asInt());
                    assertThat(p.get("b").asInt() + p.get("c").asInt()).isBetween(0, p.get("n").asInt());
                    assertThat(p.has("pWorse") && p.has("lowerBound")).isTrue();
                }
            }
        }
        boolean lastPassed = false;
        for (JsonNode d : gate) {
            if (d.get("candidateVersion").asLong() == json.get("last_version").asLong()) {
                lastPassed = d.get("outcome").asText().equals("passed");
            }
        }
        if (lastPassed) {
            assertThat(json.get("serving_version").asLong()).isEqualTo(json.get("last_version").asLong());
        }
        // serving ends on the newest version that passed the gate
        assertThat(json.get("serving_version").asLong()).isEqualTo(json.get("newest_passed_version").asLong());
        // the demo's traffic fills the monitor's windows (200 reference texts, the last 100 as current): its
        // status is computed, with every statistic behind it
        JsonNode monitor = json.get("monitor");
        assertThat(monitor.get("texts_served").asInt()).isEqualTo(300);
        assertThat(monitor.get("status").asText()).as("%s", monitor).isIn("stable", "shifting", "attack", "both");
        assertThat(monitor.get("message").asText()).startsWith(monitor.get("line").asText());
        assertThat(monitor.get("evidence")).extracting(e -> e.get("statistic").asText())
                .contains("token_js", "embedding_centroid_distance", "obfuscation_share_rise");
        assertThat(monitor.path("windows").path("embedding").path("version").asLong())
                .isBetween(1L, json.get("last_version").asLong());
    }
}
