package io.bulwark.serving.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.ExternalTools;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Debian's Prometheus server scrapes /metrics; its query API returns the per-arm request counters. */
class PrometheusScrapeITCase {

    private static final String TOKEN = "prometheus-admin-token";

    @Test
    void prometheusScrapesPerArmCounters() throws Exception {
        Path prometheus = ExternalTools.require("/usr/bin/prometheus", "prometheus");
        try (ServingServer server = ServingServer.start(ServingConfig.builder().optPort(0)
                .optLoader(new FakeModels.Loader()).optAdminToken(TOKEN).build())) {
            Http http = new Http(server.url());
            server.offer(FakeModels.snapshot("prom", 1, "normal"));
            server.offer(FakeModels.snapshot("prom", 2, "inverted"));
            Await.until(Duration.ofSeconds(10), "two versions",
                    () -> server.registry().find("prom").map(s -> s.loadedCount() == 2).orElse(false));
            http.post("/v1/admin/models/prom/arms", "{\"A\": 1, \"B\": 2}", TOKEN);
            http.post("/v1/admin/models/prom/weights", "{\"A\": 50, \"B\": 50}", TOKEN);
            Map<String, Integer> sent = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                String arm = http.post("/v1/models/prom/predict", "{\"text\": \"spam\", \"key\": \"u" + i + "\"}")
                        .json().path("arm").asText();
                sent.merge(arm, 1, Integer::sum);
            }
            assertThat(sent.keySet()).containsExactlyInAnyOrder("A", "B");

            Path dir = Path.of("target", "prometheus").toAbsolutePath();
            Files.createDirectories(dir);
            int port = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "  evaluation_interval: 1s",
                    "scrape_configs:",
                    "  - job_name: bulwark-serving",
                    "    metrics_path: /metrics",
                    "    static_configs:",
                    "      - targets: ['127.0.0.1:" + server.port() + "']",
                    ""));
            Process process = new ProcessBuilder(prometheus.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data-" + System.nanoTime()),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                Http prom = new Http("http://127.0.0.1:" + port);
                Await.until(Duration.ofSeconds(60), "prometheus ready", () -> {
                    try {
                        return process.isAlive() && prom.get("/-/ready").status() == 200;
                    } catch (RuntimeException e) {
                        return false;
                    }
                }, () -> "alive=" + process.isAlive() + " log: " + log(dir));
                String query = "/api/v1/query?query=" + URLEncoder.encode(
                        "bulwark_serving_requests_total{model=\"prom\"}", StandardCharsets.UTF_8);
                Map<String, Double> scraped = new HashMap<>();
                Await.until(Duration.ofSeconds(60), "both arms' counters in Prometheus", () -> {
                    JsonNode r = prom.get(query).json();
                    scraped.clear();
                    for (JsonNode s : r.path("data").path("result")) {
                        scraped.put(s.path("metric").path("arm").asText(), s.path("value").get(1).asDouble());
                    }
                    return scraped.size() == 2;
                }, () -> scraped + " " + log(dir));
                assertThat(scraped).containsEntry("A", (double) sent.get("A")).containsEntry("B", (double) sent.get("B"));
                JsonNode latency = prom.get("/api/v1/query?query=" + URLEncoder.encode(
                        "sum by (arm) (bulwark_serving_request_latency_seconds_count{model=\"prom\"})",
                        StandardCharsets.UTF_8)).json();
                assertThat(latency.path("data").path("result")).hasSize(2);
            } finally {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static String log(Path dir) {
        try {
            String s = Files.readString(dir.resolve("prometheus.log"));
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
