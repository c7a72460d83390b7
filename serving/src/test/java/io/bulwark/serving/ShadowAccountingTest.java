package io.bulwark.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.model.encoding.MurmurHash3;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.metrics.ArmStats;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shadow mode mirrors a sampled share of requests to the challenger and discards its answer; agreement and feedback
 * accuracy are counted per arm, and the monitor estimates each version's accuracy from its canary-calibrated
 * confidence.
 */
class ShadowAccountingTest {

    private static final String TOKEN = "shadow-admin-token";
    private static final String MODEL = "shadowed";
    private static final String ESTIMATED = "estimated";
    private static final int REQUESTS = 200;
    private static ServingServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = ServingServer.start(ServingConfig.builder().optPort(0).optLoader(new FakeModels.Loader())
                .optAdminToken(TOKEN).optGate(0.05, false).optSampleMillis(100).optShadowShare(0.5)
                .optMonitorWindows(50, 60).build());
        http = new Http(server.url());
        for (String model : new String[] {MODEL, ESTIMATED}) {
            server.offer(FakeModels.snapshot(model, 1, "normal"));
            server.offer(FakeModels.snapshot(model, 2, "inverted"));
            Await.until(Duration.ofSeconds(10), "2 versions", () -> server.registry().find(model)
                    .map(s -> s.loadedCount() == 2).orElse(false));
            for (int i = 0; i < 60; i++) {
                server.registry().offerHeldOut(model, "h" + i, i % 2 == 0 ? "spam offer " + i : "minutes " + i,
                        i % 2 == 0 ? "spam" : "ham");
            }
            assertThat(http.post("/v1/admin/models/" + model + "/arms", "{\"A\": 1, \"B\": 2}", TOKEN).status())
                    .isEqualTo(200);
            assertThat(http.post("/v1/admin/models/" + model + "/shadow", "{\"enabled\": true}", TOKEN).status())
                    .isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static boolean mirrored(String requestId) {
        return MurmurHash3.unitInterval(requestId, ScoringService.SHADOW_SEED) < 0.5;
    }

    @Test
    void mirrorsTheSampledShareAndCountsAgreementAndAccuracyPerArm() throws Exception {
        int expectedMirrored = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String id = "r" + i;
            boolean spam = i % 2 == 0;
            JsonNode answer = http.post("/v1/models/" + MODEL + "/predict", Http.json(Map.of(
                    "text", spam ? "spam offer " + i : "agenda " + i, "requestId", id))).json();
            // A answers; B's answer is discarded
            assertThat(answer.path("arm").asText()).isEqualTo("A");
            assertThat(answer.path("version").asLong()).isEqualTo(1);
            expectedMirrored += mirrored(id) ? 1 : 0;
        }
        assertThat(server.service().awaitShadowIdle(10_000)).isTrue();
        int mirroredCount = expectedMirrored;
        Await.until(Duration.ofSeconds(10), "every mirrored text compared",
                () -> server.metrics().shadowCounts(MODEL)[1] == mirroredCount);
        long[] sampled = server.metrics().shadowSampledCounts(MODEL);
        assertThat(sampled[0]).as("mirrored").isEqualTo(expectedMirrored);
        assertThat(sampled[0] + sampled[1]).isEqualTo(REQUESTS);
        assertThat((double) sampled[0] / REQUESTS).as("share mirrored").isBetween(0.4, 0.6);
        // the inverted challenger never agrees with A
        assertThat(server.metrics().shadowCounts(MODEL)[0]).isZero();

        for (int i = 0; i < REQUESTS; i++) {
            String id = "r" + i;
            JsonNode fb = http.post("/v1/models/" + MODEL + "/feedback", Http.json(Map.of(
                    "requestId", id, "label", i % 2 == 0 ? "spam" : "ham"))).json();
            assertThat(fb.path("correct").asBoolean()).isTrue();
            assertThat(fb.has("shadow")).as("shadow answer kept for %s", id).isEqualTo(mirrored(id));
            if (mirrored(id)) {
                assertThat(fb.path("shadow").path("correct").asBoolean()).isFalse();
                assertThat(fb.path("shadow").path("version").asLong()).isEqualTo(2);
            }
        }
        Map<String, ArmStats> arms = server.metrics().arms(MODEL);
        assertThat(arms.get("A").feedbackCount()).isEqualTo(REQUESTS);
        assertThat(arms.get("A").accuracy()).isEqualTo(1.0);
        assertThat(arms.get("B").feedbackCount()).isEqualTo(expectedMirrored);
        assertThat(arms.get("B").accuracy()).isEqualTo(0.0);
        assertThat(arms.get("B").requestCount()).as("B answered no request").isZero();
        assertThat(arms.get("B").textCount()).as("B scored the mirrored texts").isEqualTo(expectedMirrored);

        JsonNode shadow = http.get("/v1/dashboard?model=" + MODEL).json().path("shadow");
        assertThat(shadow.path("share").asDouble()).isEqualTo(0.5);
        assertThat(shadow.path("mirrored").asLong()).isEqualTo(expectedMirrored);
        assertThat(shadow.path("skipped").asLong()).isEqualTo(REQUESTS - expectedMirrored);
        assertThat(shadow.path("agreement").asDouble()).isEqualTo(0.0);
        assertThat(http.get("/metrics").body()).contains("bulwark_serving_shadow_requests_total{model=\"" + MODEL
                + "\",outcome=\"mirrored\"} " + expectedMirrored + ".0");
    }

    @Test
    void estimatesEachVersionsAccuracyFromItsCalibratedConfidence() throws Exception {
        assertThat(server.registry().awaitCanaryIdle(10_000)).isTrue();
        for (int i = 0; i < 120; i++) {
            http.post("/v1/models/" + ESTIMATED + "/predict", Http.json(Map.of(
                    "text", i % 3 == 0 ? "spam deal " + i : "project notes " + i, "requestId", "m" + i)));
        }
        assertThat(server.service().awaitShadowIdle(10_000)).isTrue();
        assertThat(server.monitor().awaitIdle(10_000)).isTrue();
        JsonNode monitor = http.get("/v1/models/" + ESTIMATED + "/monitor").json();
        assertThat(monitor.path("line").asText()).isIn("stable", "inputs are shifting");
        JsonNode v1 = version(monitor, 1);
        JsonNode v2 = version(monitor, 2);
        // v1 is right on every canary example, v2 (inverted) on none: the calibration carries that to served traffic
        assertThat(v1.path("calibrationExamples").asLong()).isEqualTo(60);
        assertThat(v1.path("estimatedAccuracy").asDouble()).isEqualTo(1.0);
        assertThat(v2.path("estimatedAccuracy").asDouble()).isEqualTo(0.0);
        assertThat(v1.path("arms").toString()).contains("A");
        assertThat(v2.path("arms").toString()).contains("B");
        assertThat(v1.path("answers").asInt()).isGreaterThan(v2.path("answers").asInt()).isPositive();
        assertThat(http.get("/metrics").body())
                .contains("bulwark_serving_monitor_estimated_accuracy{arm=\"A\",model=\"" + ESTIMATED + "\"} 1.0")
                .contains("bulwark_serving_monitor_estimated_accuracy{arm=\"B\",model=\"" + ESTIMATED + "\"} 0.0");
    }

    private static JsonNode version(JsonNode monitor, long v) {
        for (JsonNode row : monitor.path("versions")) {
            if (row.path("version").asLong() == v) {
                return row;
            }
        }
        throw new AssertionError("no version " + v + " in " + monitor);
    }
}
