package io.bulwark.serving.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.RobustnessReport;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.ExternalTools;
import io.bulwark.serving.testing.Http;
import io.bulwark.serving.testing.RealModels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard in headless Chromium: it loads, its charts hold the real reports' numbers, the console is clean. */
class DashboardBrowserITCase {

    private static final String MODEL = "moderation";
    private static final String TOKEN = "dashboard-admin-token";
    private static ServingServer server;
    private static List<RealModels.Version> versions;
    private static Http http;
    private static final int MONITOR_WINDOW = 40;

    @BeforeAll
    static void start() {
        versions = RealModels.train(MODEL, 4, 3, 5);
        server = ServingServer.start(ServingConfig.builder().optPort(0).optAdminToken(TOKEN).optGate(1.0, true)
                .optSampleMillis(250).optMonitorWindows(MONITOR_WINDOW, MONITOR_WINDOW).build());
        http = new Http(server.url());
        // A canary set: every version is scored on it and the gate decides on paired statistics.
        List<io.bulwark.model.Example> heldOut = io.bulwark.serving.bench.BenchModels.examples(9, 400).subList(0, 60);
        for (int i = 0; i < heldOut.size(); i++) {
            server.registry().offerHeldOut(MODEL, "h" + i, heldOut.get(i).text(), heldOut.get(i).label());
        }
        for (RealModels.Version v : versions) {
            server.offerReport(v.report());
            server.offer(v.snapshot());
        }
        Await.until(Duration.ofSeconds(60), "4 versions loaded",
                () -> server.registry().find(MODEL).map(s -> s.loadedCount() == 4).orElse(false));
        Await.until(Duration.ofSeconds(60), "a gate decision on the canary set",
                () -> http.get("/v1/dashboard?model=" + MODEL).json().path("experiment").path("gate").has("clean"));
        assertThat(http.post("/v1/admin/models/" + MODEL + "/arms", "{\"A\": 4, \"B\": 3}", TOKEN).status()).isEqualTo(200);
        assertThat(http.post("/v1/admin/models/" + MODEL + "/weights", "{\"A\": 60, \"B\": 40}", TOKEN).status())
                .isEqualTo(200);
        for (int i = 0; i < 120; i++) {
            String text = (i % 2 == 0 ? "free cash prize, click now " : "notes from the team meeting ") + i;
            Http.Response r = http.post("/v1/models/" + MODEL + "/predict",
                    Http.json(Map.of("text", text, "key", "user-" + i, "requestId", "req-" + i)));
            assertThat(r.status()).isEqualTo(200);
            if (i % 3 == 0) {
                http.post("/v1/models/" + MODEL + "/feedback",
                        Http.json(Map.of("requestId", "req-" + i, "label", i % 2 == 0 ? "spam" : "ham")));
            }
        }
        // Then the same mails, the spam obfuscated (leetspeak, a zero-width space, a Cyrillic look-alike): the
        // monitor's current window holds only these, its reference window the first 40 requests.
        for (int i = 0; i < 60; i++) {
            String text = i % 2 == 0 ? "fr33 c\u200Bash pr1ze, \u0441lick n0w " + i : "notes from the team meeting " + i;
            assertThat(http.post("/v1/models/" + MODEL + "/predict",
                    Http.json(Map.of("text", text, "key", "user-" + i))).status()).isEqualTo(200);
        }
        try {
            assertThat(server.monitor().awaitIdle(10_000)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void chartsHoldTheReportsAndTheConsoleIsClean() throws Exception {
        Path chromium = ExternalTools.require("/usr/bin/chromium", "chromium");
        Path chromedriver = ExternalTools.require("/usr/bin/chromedriver", "chromium-driver");
        Path profile = Files.createTempDirectory(Path.of("target", "tmp").toAbsolutePath(), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1600,2000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(server.url() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "return !!(window.bulwarkDashboard && window.bulwarkDashboard.updates >= 2)"));
            assertThat(driver.getTitle()).isEqualTo("Bulwark serving");

            // accuracy by version: one point per real report, with the report's numbers
            List<Map<String, Object>> acc = series(driver, "chart-accuracy-version");
            List<List<Number>> clean = data(acc, "clean");
            List<List<Number>> robust = data(acc, "robust");
            assertThat(clean).hasSize(versions.size());
            assertThat(robust).hasSize(versions.size());
            for (int i = 0; i < versions.size(); i++) {
                RobustnessReport r = versions.get(i).report();
                assertThat(clean.get(i).get(0).longValue()).isEqualTo(r.getVersion());
                assertThat(clean.get(i).get(1).doubleValue()).isEqualTo(r.getCleanAccuracy());
                assertThat(robust.get(i).get(1).doubleValue()).isEqualTo(r.getRobustAccuracy());
            }
            assertThat(data(series(driver, "chart-accuracy-time"), "robust")).hasSize(versions.size());
            List<Map<String, Object>> attacks = series(driver, "chart-attacks");
            assertThat(attacks).extracting(m -> m.get("name")).contains("typo", "deletion", "separator");
            assertThat(data(attacks, "typo")).hasSize(versions.size());
            List<Map<String, Object>> drift = series(driver, "chart-drift");
            List<List<Number>> teacher = data(drift, "teacher drift (symKL)");
            List<List<Number>> delta = data(drift, "delta norm");
            assertThat(teacher).hasSize(versions.size());
            assertThat(teacher.get(3).get(1).doubleValue()).isEqualTo(versions.get(3).report().getTeacherDriftKl());
            assertThat(delta.get(3).get(1).doubleValue()).isEqualTo(versions.get(3).report().getDeltaNorm())
                    .isGreaterThan(0);
            assertThat(data(series(driver, "chart-drift-time"), "delta norm")).hasSize(versions.size());
            // Without a teacher the panel says so instead of drawing a flat zero; with one, it says nothing.
            boolean noTeacher = versions.stream().allMatch(v -> v.report().getTeacherDriftKl() == 0.0);
            String graphic = String.valueOf(driver.executeScript(
                    "return JSON.stringify(window.bulwarkCharts['chart-drift'].getOption().graphic || []);"));
            assertThat(graphic.contains("no EMA teacher")).isEqualTo(noTeacher);
            List<Map<String, Object>> throughput = series(driver, "chart-throughput");
            assertThat(data(throughput, "training examples/s")).hasSize(versions.size());
            assertThat(data(throughput, "requests/s A")).anySatisfy(p -> assertThat(p.get(1).doubleValue()).isPositive());
            assertThat(data(throughput, "requests/s B")).anySatisfy(p -> assertThat(p.get(1).doubleValue()).isPositive());

            // the arms side by side: requests of A and B add up to the traffic sent
            List<Map<String, Object>> arms = series(driver, "chart-arms");
            @SuppressWarnings("unchecked")
            List<Number> requests = (List<Number>) arms.stream().filter(s -> "requests".equals(s.get("name")))
                    .findFirst().orElseThrow().get("data");
            assertThat(requests).hasSize(2);
            assertThat(requests.get(0).longValue()).isPositive();
            assertThat(requests.get(1).longValue()).isPositive();
            assertThat(requests.get(0).longValue() + requests.get(1).longValue()).isEqualTo(180);
            String armsTable = driver.findElement(org.openqa.selenium.By.id("arms-table")).getText();
            assertThat(armsTable).contains("v4", "v3", "60", "40");
            // the gate card: the canary set and the paired statistics behind the last decision
            String gate = driver.findElement(org.openqa.selenium.By.id("gate")).getText();
            assertThat(gate).contains("Canary set", "60 held-out examples", "McNemar p", "under attack", "Champion: v4");
            String stats = driver.findElement(org.openqa.selenium.By.id("gate-stats")).getText();
            assertThat(stats).contains("clean", "under attack", "60");
            String versionsTable = driver.findElement(org.openqa.selenium.By.id("versions-table")).getText();
            assertThat(versionsTable).contains("canary clean", "canary attacked");

            // the monitor: the status line and its evidence, as the monitor endpoint gives them
            com.fasterxml.jackson.databind.JsonNode monitor = http.get("/v1/models/" + MODEL + "/monitor").json();
            assertThat(monitor.path("line").asText()).as("monitor: %s", monitor).isEqualTo("attack pressure is rising");
            assertThat(driver.findElement(org.openqa.selenium.By.id("monitor-status")).getText())
                    .isEqualTo("attack pressure is rising");
            String evidence = driver.findElement(org.openqa.selenium.By.id("monitor-evidence")).getText();
            assertThat(evidence).contains("token_js", "length_psi", "char_class_psi", "embedding_centroid_distance",
                    "obfuscation_share_rise", "normalization_change_rise", "yes");
            assertThat(driver.findElement(org.openqa.selenium.By.id("monitor-detail")).getText())
                    .contains("reference window 40/40 texts", "current window 40/40 texts");
            @SuppressWarnings("unchecked")
            List<Number> ratios = (List<Number>) driver.executeScript("return window.bulwarkCharts["
                    + "'chart-monitor-statistics'].getOption().series[0].data.map(function (d) { return d.value; });");
            assertThat(ratios).hasSize(6);
            for (int i = 0; i < 6; i++) {
                com.fasterxml.jackson.databind.JsonNode e = monitor.path("evidence").get(i);
                assertThat(ratios.get(i).doubleValue()).as("%s", e)
                        .isCloseTo(e.path("value").asDouble() / e.path("threshold").asDouble(),
                                org.assertj.core.data.Offset.offset(1e-9));
            }
            List<Map<String, Object>> obfuscation = series(driver, "chart-monitor-obfuscation");
            double currentAny = monitor.path("windows").path("current").path("obfuscationShare").path("any").asDouble();
            assertThat(currentAny).isEqualTo(0.5);
            assertThat(((Number) ((List<?>) obfuscation.get(1).get("data")).get(0)).doubleValue()).isEqualTo(currentAny);
            assertThat(((Number) ((List<?>) obfuscation.get(0).get("data")).get(0)).doubleValue()).isZero();
            assertThat(data(series(driver, "chart-monitor-time"), "obfuscated share rise")).isNotEmpty();
            // the centroid distance of the pooled embeddings, under the champion of the first request (v4): the
            // obfuscated spam de-obfuscates to the reference's words, so it stays under its threshold
            com.fasterxml.jackson.databind.JsonNode embedding = monitor.path("windows").path("embedding");
            assertThat(embedding.path("version").asLong()).as("%s", embedding).isEqualTo(4);
            assertThat(embedding.path("noiseFloor").asDouble()).isPositive();
            double ratio = embedding.path("ratio").asDouble();
            assertThat(ratio).isLessThan(monitor.path("settings").path("embeddingDistance").asDouble());
            List<List<Number>> centroid = data(series(driver, "chart-monitor-embedding"),
                    "centroid distance / noise floor");
            assertThat(centroid).isNotEmpty();
            assertThat(centroid.get(centroid.size() - 1).get(1).doubleValue())
                    .isCloseTo(ratio, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(driver.findElement(org.openqa.selenium.By.id("monitor-embedding")).getText())
                    .contains("embedding version v4", "40 reference and 40 current texts", "noise floor");
            // estimated accuracy next to feedback and canary accuracy, for every loaded version
            List<Map<String, Object>> estimates = series(driver, "chart-monitor-accuracy");
            assertThat(estimates).extracting(m -> m.get("name"))
                    .containsExactly("estimated (CBPE)", "feedback", "canary clean", "canary under attack");
            @SuppressWarnings("unchecked")
            List<Number> estimated = (List<Number>) estimates.get(0).get("data");
            assertThat(estimated).hasSize(versions.size());
            com.fasterxml.jackson.databind.JsonNode v4 = monitor.path("versions").get(0);
            assertThat(v4.path("version").asLong()).isEqualTo(4);
            assertThat(estimated.get(3).doubleValue()).isEqualTo(v4.path("estimatedAccuracy").asDouble())
                    .isBetween(0.0, 1.0);
            // attack success per family, from the reports
            List<Map<String, Object>> success = series(driver, "chart-attack-success");
            assertThat(success).extracting(m -> m.get("name")).contains("typo", "deletion", "separator");
            assertThat(data(success, "typo")).hasSize(versions.size());
            // the held-out losses by version, and their gap, from the reports
            List<Map<String, Object>> losses = series(driver, "chart-loss-gap");
            List<List<Number>> gap = data(losses, "gap");
            assertThat(gap).hasSize(versions.size());
            RobustnessReport r4 = versions.get(3).report();
            assertThat(gap.get(3).get(1).doubleValue()).isCloseTo(r4.getAdversarialLoss() - r4.getCleanLoss(),
                    org.assertj.core.data.Offset.offset(1e-12)).isPositive();
            assertThat(data(losses, "clean loss").get(3).get(1).doubleValue()).isEqualTo(r4.getCleanLoss());
            String training = driver.findElement(org.openqa.selenium.By.id("monitor-training")).getText();
            assertThat(training).contains("report v4", "mean ‖δ‖", noTeacher ? "no EMA teacher" : "teacher divergence");
            assertThat(driver.findElement(org.openqa.selenium.By.id("shadow-line")).getText()).contains("shadow mode: off");

            File shot = driver.getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "dashboard.png");
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isGreaterThan(10_000);

            List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
            assertThat(console).as("browser console errors: %s", console)
                    .noneMatch(e -> e.getLevel().intValue() >= Level.SEVERE.intValue());
        } finally {
            driver.quit();
            service.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> series(ChromeDriver driver, String chart) {
        Object result = driver.executeScript(
                "var c = window.bulwarkCharts[arguments[0]];"
                        + "return c ? c.getOption().series.map(function (s) { return {name: s.name, data: s.data}; }) : null;",
                chart);
        assertThat(result).as("chart %s exists", chart).isNotNull();
        return (List<Map<String, Object>>) result;
    }

    @SuppressWarnings("unchecked")
    private static List<List<Number>> data(List<Map<String, Object>> series, String name) {
        return (List<List<Number>>) series.stream().filter(s -> name.equals(s.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no series '" + name + "' in " + series)).get("data");
    }
}
