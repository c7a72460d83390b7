package io.bulwark.serving.cli;

import io.bulwark.serving.ServingServer;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.config.ServingConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServingCliTest {

    private static ServingConfig parse(String... args) {
        ServingCli.Serve serve = new ServingCli.Serve();
        new CommandLine(serve).parseArgs(args);
        return serve.toConfig();
    }

    @Test
    void serveOptionsBecomeTheConfig() {
        ServingConfig c = parse("--port", "0", "--bootstrap-servers", "k:9092", "--registry-url", "http://r:8081",
                "--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "sasl.mechanism=PLAIN",
                "--registry-property", "basic.auth.user.info=u:p", "--arm-a", "7", "--arm-b", "latest",
                "--weight-a", "90", "--weight-b", "10", "--shadow", "--gate-margin", "0.02",
                "--gate-require-report", "false", "--max-versions", "6", "--max-batch", "32",
                "--admin-token", "0123456789", "--snapshot-start", "EARLIEST", "--shadow-share", "0.25",
                "--monitor-reference", "300", "--monitor-window", "200");
        assertThat(c.port()).isZero();
        assertThat(c.bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN");
        assertThat(c.registryProperties()).containsEntry("basic.auth.user.info", "u:p");
        assertThat(c.armA()).isEqualTo(ArmSpec.pinned(7));
        assertThat(c.armB()).isEqualTo(ArmSpec.latest());
        assertThat(c.weightB()).isEqualTo(10);
        assertThat(c.shadow()).isTrue();
        assertThat(c.shadowShare()).isEqualTo(0.25);
        assertThat(c.monitor().referenceTexts()).isEqualTo(300);
        assertThat(c.monitor().windowTexts()).isEqualTo(200);
        assertThat(c.monitor().minWindowTexts()).isEqualTo(100);
        assertThat(c.gateMargin()).isEqualTo(0.02);
        assertThat(c.gateRequireReport()).isFalse();
        assertThat(c.maxVersionsPerModel()).isEqualTo(6);
        assertThat(c.maxBatchSize()).isEqualTo(32);
        assertThat(c.adminToken()).isEqualTo("0123456789");
        assertThat(c.snapshotStart()).isEqualTo(ServingConfig.SnapshotStart.EARLIEST);
    }

    @Test
    void invalidSettingsSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092")).hasMessageContaining("schema registry URL");
        assertThatThrownBy(() -> parse("--arm-a", "none")).hasMessageContaining("arm A cannot be 'none'");
        assertThatThrownBy(() -> parse("--admin-token", "short")).hasMessageContaining("at least 8 characters");
        assertThatThrownBy(() -> parse("--max-versions", "0")).hasMessageContaining("maxVersionsPerModel must be >= 1");
        assertThatThrownBy(() -> parse("--arm-b", "soon")).hasMessageContaining("'latest', 'none' or a version");
        assertThatThrownBy(() -> parse("--shadow-share", "1.5")).hasMessageContaining("shadow share must be in [0, 1]");
        assertThatThrownBy(() -> parse("--monitor-window", "0")).hasMessageContaining("monitor windows must be >= 1");
    }

    @Test
    void servesSnapshotsFromAnAvroFileWithoutKafka(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshots.avro");
        try (DataFileWriter<ModelSnapshot> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelSnapshot.class))) {
            w.create(ModelSnapshot.getClassSchema(), Files.newOutputStream(file));
            w.append(FakeModels.snapshot("offline", 1, "normal"));
            w.append(FakeModels.snapshot("offline", 2, "normal"));
        }
        try (ServingServer server = ServingServer.start(ServingConfig.builder().optPort(0)
                .optLoader(new FakeModels.Loader()).optSnapshotFile(file).build())) {
            Http http = new Http(server.url());
            Await.until(Duration.ofSeconds(10), "ready", () -> http.get("/readyz").status() == 200);
            Await.until(Duration.ofSeconds(10), "both versions",
                    () -> server.registry().find("offline").map(s -> s.loadedCount() == 2).orElse(false));
            // by default a candidate waits for its robustness report: A stays on v1, B (latest) has v2
            assertThat(http.post("/v1/models/offline/predict", "{\"text\": \"spam\"}").json().path("version").asLong())
                    .isEqualTo(1);
            assertThat(http.get("/v1/models/offline").json().path("experiment").path("gate").path("outcome").asText())
                    .isEqualTo("waiting");
            assertThat(http.post("/v1/models/offline/versions/2/predict", "{\"text\": \"spam\"}").status())
                    .isEqualTo(200);
        }
        assertThatThrownBy(() -> ServingServer.start(ServingConfig.builder().optPort(0)
                .optLoader(new FakeModels.Loader()).optSnapshotFile(dir.resolve("missing.avro")).build()))
                .hasMessageContaining("cannot read snapshot file");
    }
}
