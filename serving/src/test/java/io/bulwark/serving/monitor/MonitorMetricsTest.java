package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.serving.ServingServer;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitor's and the reports' metric names that deploy/'s Grafana dashboard and alert rules query are on serving's
 * /metrics as soon as a model is served, before any report or full window (the deployment test checks every name
 * against a running job as well).
 */
class MonitorMetricsTest {

    private static final Pattern NAME = Pattern.compile("\\b(bulwark_serving_(?:monitor|report|version)_[a-z_]+)");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private static Set<String> names(Pattern p, String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyMonitorMetricTheDeploymentQueriesIsExported() throws Exception {
        Path deploy = Path.of("..", "deploy");
        Set<String> queried = names(NAME, Files.readString(deploy.resolve("grafana/dashboards/bulwark.json")));
        Set<String> alerted = names(NAME, Files.readString(deploy.resolve("prometheus/rules/bulwark.yml")));
        assertThat(queried).contains("bulwark_serving_monitor_status", "bulwark_serving_monitor_statistic",
                "bulwark_serving_monitor_estimated_accuracy", "bulwark_serving_report_attack_success_rate",
                "bulwark_serving_report_teacher_drift", "bulwark_serving_monitor_embedding_distance",
                "bulwark_serving_version_estimated_accuracy", "bulwark_serving_version_canary_accuracy");
        assertThat(alerted).contains("bulwark_serving_monitor_status");
        try (ServingServer server = ServingServer.start(ServingConfig.builder().optPort(0)
                .optLoader(new FakeModels.Loader()).build())) {
            Http http = new Http(server.url());
            server.offer(FakeModels.snapshot("grafana", 1, "normal"));
            Await.until(Duration.ofSeconds(10), "a version",
                    () -> server.registry().find("grafana").map(s -> s.loadedCount() == 1).orElse(false));
            for (String text : new String[] {"lottery winner prize", "meeting report schedule", "casino bitcoin"}) {
                assertThat(http.post("/v1/models/grafana/predict", "{\"text\": \"" + text + "\"}").status())
                        .isEqualTo(200);
            }
            String metrics = http.get("/metrics").body();
            Set<String> exported = names(SAMPLE, metrics);
            assertThat(exported).containsAll(queried).containsAll(alerted);
            // before any report or full window the values are NaN, not a made-up 0
            assertThat(metrics).contains("bulwark_serving_monitor_status{model=\"grafana\",signal=\"attack\"} NaN")
                    .contains("bulwark_serving_report_attack_success_rate{family=\"leet\",model=\"grafana\"} NaN")
                    .contains("bulwark_serving_monitor_statistic{model=\"grafana\",signal=\"drift\","
                            + "statistic=\"embedding_centroid_distance\"} NaN")
                    .contains("bulwark_serving_version_canary_accuracy{kind=\"clean\",model=\"grafana\",version=\"1\"}");
        }
    }

    @Test
    void perVersionSeriesExistOnlyForLoadedVersions() throws Exception {
        try (ServingServer server = ServingServer.start(ServingConfig.builder().optPort(0).optMaxVersionsPerModel(2)
                .optLoader(new FakeModels.Loader()).build())) {
            Http http = new Http(server.url());
            for (long v = 1; v <= 4; v++) {
                server.offer(FakeModels.snapshot("versions", v, "normal"));
                long loaded = v;
                Await.until(Duration.ofSeconds(10), "v" + v + " loaded", () -> server.registry().find("versions")
                        .map(s -> s.loadedVersions().contains(loaded)).orElse(false));
            }
            Set<Long> loaded = server.registry().find("versions").orElseThrow().loadedVersions();
            assertThat(loaded).hasSize(2);
            Set<Long> series = new TreeSet<>();
            Matcher m = Pattern.compile("bulwark_serving_version_estimated_accuracy\\{model=\"versions\","
                    + "version=\"(\\d+)\"}").matcher(http.get("/metrics").body());
            while (m.find()) {
                series.add(Long.parseLong(m.group(1)));
            }
            // evicted versions leave no series behind: the label's values are the loaded versions
            assertThat(series).isEqualTo(loaded);
        }
    }
}
