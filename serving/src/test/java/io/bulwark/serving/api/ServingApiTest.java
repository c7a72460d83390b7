package io.bulwark.serving.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP contract of every endpoint, with deterministic keyword models behind it. */
class ServingApiTest {

    private static final String TOKEN = "test-admin-token";
    private static ServingServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = ServingServer.start(ServingConfig.builder()
                .optPort(0)
                .optLoader(new FakeModels.Loader())
                .optLimits(4096, 10, 200)
                .optAdminToken(TOKEN)
                .optGate(0.05, false)
                .optSampleMillis(100)
                .build());
        http = new Http(server.url());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void load(String model, long version, String payload) {
        server.offer(FakeModels.snapshot(model, version, payload));
        Await.until(Duration.ofSeconds(10), model + " v" + version,
                () -> server.registry().find(model).flatMap(s -> s.version(version)).isPresent());
    }

    private static void assertError(Http.Response r, int status, String messagePart) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.json()).as("JSON error body: %s", r.body()).isNotNull();
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
        assertThat(r.json().path("error").asText()).contains(messagePart);
        assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    }

    @Test
    void predictsOneText() {
        load("single", 1, "normal");
        Http.Response r = http.post("/v1/models/single/predict", "{\"text\": \"buy spam now\", \"requestId\": \"r-1\"}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.path("modelId").asText()).isEqualTo("single");
        assertThat(j.path("requestId").asText()).isEqualTo("r-1");
        assertThat(j.path("arm").asText()).isEqualTo("A");
        assertThat(j.path("version").asLong()).isEqualTo(1);
        assertThat(j.path("label").asText()).isEqualTo("spam");
        assertThat(j.path("probabilities").path("spam").asDouble()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(j.path("probabilities").path("ham").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
        // without a requestId the server makes one, for feedback
        Http.Response r2 = http.post("/v1/models/single/predict", "{\"text\": \"hello\"}");
        assertThat(r2.json().path("requestId").asText()).hasSizeGreaterThan(8);
        assertThat(r2.json().path("label").asText()).isEqualTo("ham");
    }

    @Test
    void predictsABatch() {
        load("batch", 1, "normal");
        Http.Response r = http.post("/v1/models/batch/predict",
                "{\"texts\": [\"spam offer\", \"lunch tomorrow\", \"more spam\"], \"key\": \"user-7\"}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode preds = r.json().path("predictions");
        assertThat(preds).hasSize(3);
        assertThat(preds.get(0).path("label").asText()).isEqualTo("spam");
        assertThat(preds.get(1).path("label").asText()).isEqualTo("ham");
        assertThat(preds.get(2).path("probabilities").has("spam")).isTrue();
        assertThat(r.json().has("label")).isFalse();
    }

    @Test
    void badRequestsGetAClearError() {
        load("bad", 1, "normal");
        String p = "/v1/models/bad/predict";
        assertError(http.post(p, "{not json"), 400, "malformed JSON");
        assertError(http.post(p, "{\"text\": \"a\"} trailing"), 400, "malformed JSON");
        assertError(http.post(p, "[\"text\"]"), 400, "must be a JSON object");
        assertError(http.post(p, ""), 400, "request body is empty");
        assertError(http.post(p, "{}"), 400, "needs \"text\"");
        assertError(http.post(p, "{\"text\": \"\"}"), 400, "text must not be empty");
        assertError(http.post(p, "{\"text\": \"   \"}"), 400, "text must not be empty");
        assertError(http.post(p, "{\"text\": 5}"), 400, "\"text\" must be a string");
        assertError(http.post(p, "{\"texts\": []}"), 400, "\"texts\" must not be empty");
        assertError(http.post(p, "{\"texts\": [\"ok\", \"\"]}"), 400, "texts[1] must not be empty");
        assertError(http.post(p, "{\"texts\": \"one\"}"), 400, "array of strings");
        assertError(http.post(p, "{\"text\": \"a\", \"texts\": [\"b\"]}"), 400, "not both");
        assertError(http.post(p, "{\"text\": \"a\", \"requestId\": {}}"), 400, "\"requestId\" must be");
    }

    @Test
    void oversizedRequestsAre413() {
        load("big", 1, "normal");
        String p = "/v1/models/big/predict";
        assertError(http.post(p, Http.json(Map.of("text", "x".repeat(201)))), 413, "201 characters; the limit is 200");
        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add("t" + i);
        }
        assertError(http.post(p, Http.json(Map.of("texts", eleven))), 413, "batch of 11 texts exceeds the limit of 10");
        assertError(http.post(p, Http.json(Map.of("text", "y".repeat(5000)))), 413, "exceeds the limit of 4096 bytes");
    }

    @Test
    void unknownModelOrVersionIs404AndNoVersionYetIs503() {
        load("known", 1, "normal");
        assertError(http.post("/v1/models/nope/predict", "{\"text\": \"a\"}"), 404, "unknown model 'nope'");
        assertError(http.post("/v1/models/known/versions/7/predict", "{\"text\": \"a\"}"), 404,
                "no loaded version 7");
        assertError(http.post("/v1/models/known/versions/abc/predict", "{\"text\": \"a\"}"), 400,
                "version must be a number");
        assertError(http.get("/v1/models/nope"), 404, "unknown model");
        assertError(http.get("/no/such/route"), 404, "");
        // a model seen only through a report has no version to answer with yet
        server.offerReport(FakeModels.report("pending", 1, 0.9, 0.6));
        assertError(http.post("/v1/models/pending/predict", "{\"text\": \"a\"}"), 503, "no version loaded yet");
        Http.Response direct = http.post("/v1/models/known/versions/1/predict", "{\"text\": \"spam\"}");
        assertThat(direct.status()).isEqualTo(200);
        assertThat(direct.json().path("arm").asText()).isEqualTo("direct");
        assertThat(direct.json().path("version").asLong()).isEqualTo(1);
    }

    @Test
    void listsModelsWithVersionsAndReports() {
        server.offerReport(FakeModels.report("listed", 1, 0.91, 0.62));
        load("listed", 1, "normal");
        Http.Response r = http.get("/v1/models");
        assertThat(r.status()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode m : r.json().path("models")) {
            if (m.path("modelId").asText().equals("listed")) {
                listed = m;
            }
        }
        assertThat(listed).as("model 'listed' in %s", r.body()).isNotNull();
        JsonNode v1 = listed.path("versions").get(0);
        assertThat(v1.path("version").asLong()).isEqualTo(1);
        assertThat(v1.path("arms").toString()).contains("A");
        assertThat(v1.path("report").path("robustAccuracy").asDouble()).isEqualTo(0.62);
        assertThat(v1.path("labels").toString()).contains("ham", "spam");
        assertThat(listed.path("experiment").path("arms")).hasSize(2);
        Http.Response one = http.get("/v1/models/listed");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().path("modelId").asText()).isEqualTo("listed");
    }

    @Test
    void healthAndMetrics() {
        load("metered", 1, "normal");
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/v1/models/metered/predict", "{\"text\": \"spam " + i + "\"}").status()).isEqualTo(200);
        }
        http.post("/v1/models/metered/predict", "{\"text\": \"\"}");
        Http.Response h = http.get("/healthz");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.json().path("status").asText()).isEqualTo("ok");
        assertThat(h.json().path("ready").asBoolean()).isTrue();
        assertThat(h.json().path("intake").path("state").asText()).isEqualTo("off");
        Http.Response m = http.get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.body())
                .contains("bulwark_serving_requests_total{arm=\"A\",model=\"metered\"} 5.0")
                .contains("bulwark_serving_predictions_total{arm=\"A\",model=\"metered\"} 5.0")
                .contains("bulwark_serving_request_latency_seconds_bucket{arm=\"A\",model=\"metered\"")
                .contains("bulwark_serving_inference_latency_seconds_count{arm=\"A\",model=\"metered\"} 5")
                .contains("bulwark_serving_loaded_versions{model=\"metered\"} 1.0")
                .contains("bulwark_serving_arm_version{arm=\"A\",model=\"metered\"} 1.0")
                .contains("bulwark_serving_errors_total{route=\"/v1/models/{modelId}/predict\",status=\"400\"}")
                .contains("bulwark_serving_snapshots_loaded_total{model=\"metered\"}");
    }

    @Test
    void feedbackKeepsPerArmAccuracy() {
        load("fb", 1, "normal");
        http.post("/v1/models/fb/predict", "{\"text\": \"spam here\", \"requestId\": \"q1\"}");
        http.post("/v1/models/fb/predict", "{\"texts\": [\"hi\", \"spam\"], \"requestId\": \"q2\"}");
        Http.Response right = http.post("/v1/models/fb/feedback", "{\"requestId\": \"q1\", \"label\": \"spam\"}");
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.json().path("correct").asBoolean()).isTrue();
        assertThat(right.json().path("arm").asText()).isEqualTo("A");
        Http.Response wrong = http.post("/v1/models/fb/feedback",
                "{\"requestId\": \"q2\", \"label\": \"ham\", \"index\": 1}");
        assertThat(wrong.json().path("correct").asBoolean()).isFalse();
        assertThat(wrong.json().path("predicted").asText()).isEqualTo("spam");
        assertThat(wrong.json().path("accuracy").path("A").path("accuracy").asDouble()).isEqualTo(0.5);
        assertError(http.post("/v1/models/fb/feedback", "{\"requestId\": \"q1\", \"label\": \"spam\"}"), 404,
                "already judged");
        assertError(http.post("/v1/models/fb/feedback", "{\"requestId\": \"zz\", \"label\": \"spam\"}"), 404,
                "no recent request 'zz'");
        assertError(http.post("/v1/models/fb/feedback", "{\"requestId\": \"q1\"}"), 400, "needs \"label\"");
        assertError(http.post("/v1/models/fb/feedback", "{\"label\": \"x\"}"), 400, "needs \"requestId\"");
        assertThat(http.get("/metrics").body())
                .contains("bulwark_serving_accuracy{arm=\"A\",model=\"fb\"} 0.5")
                .contains("bulwark_serving_feedback_total{arm=\"A\",model=\"fb\",outcome=\"correct\"} 1.0");
    }

    @Test
    void adminNeedsTheBearerToken() {
        load("auth", 1, "normal");
        Http.Response none = http.post("/v1/admin/models/auth/weights", "{\"A\": 1, \"B\": 1}");
        assertError(none, 401, "Authorization: Bearer");
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertError(http.post("/v1/admin/models/auth/weights", "{\"A\": 1, \"B\": 1}", "wrong-token"), 403,
                "not the admin token");
        Http.Response ok = http.post("/v1/admin/models/auth/weights", "{\"A\": 3, \"B\": 1}", TOKEN);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("arms").get(1).path("weight").asDouble()).isEqualTo(1.0);
        assertError(http.post("/v1/admin/models/auth/weights", "{\"A\": 0, \"B\": 0}", TOKEN), 400, "not both zero");
        assertError(http.post("/v1/admin/models/auth/arms", "{\"B\": 42}", TOKEN), 404, "no loaded version 42");
        assertError(http.post("/v1/admin/models/auth/arms", "{\"B\": \"sometimes\"}", TOKEN), 400, "latest");
        assertError(http.post("/v1/admin/models/ghost/rollback", "", TOKEN), 404, "unknown model");
    }

    @Test
    void abSplitOverHttpIsStickyAndServesBothVersions() {
        load("ab", 1, "normal");
        load("ab", 2, "inverted");
        assertThat(http.post("/v1/admin/models/ab/arms", "{\"A\": 1, \"B\": 2}", TOKEN).status()).isEqualTo(200);
        assertThat(http.post("/v1/admin/models/ab/weights", "{\"A\": 50, \"B\": 50}", TOKEN).status()).isEqualTo(200);
        Map<String, String> armOf = new HashMap<>();
        int b = 0;
        int n = 400;
        for (int i = 0; i < n; i++) {
            JsonNode j = http.post("/v1/models/ab/predict", "{\"text\": \"spam\", \"key\": \"user-" + i + "\"}").json();
            String arm = j.path("arm").asText();
            armOf.put("user-" + i, arm);
            if (arm.equals("B")) {
                b++;
                assertThat(j.path("version").asLong()).isEqualTo(2);
                assertThat(j.path("label").asText()).isEqualTo("ham");
            } else {
                assertThat(j.path("version").asLong()).isEqualTo(1);
                assertThat(j.path("label").asText()).isEqualTo("spam");
            }
        }
        double sd = Math.sqrt(n * 0.25);
        assertThat((double) b).isBetween(n / 2.0 - 5 * sd, n / 2.0 + 5 * sd);
        for (int i = 0; i < 50; i++) {
            String arm = http.post("/v1/models/ab/predict", "{\"text\": \"x\", \"key\": \"user-" + i + "\"}").json()
                    .path("arm").asText();
            assertThat(arm).as("sticky arm of user-%d", i).isEqualTo(armOf.get("user-" + i));
        }
    }

    @Test
    void shadowModeAnswersWithAAndCountsB() throws Exception {
        load("sh", 1, "normal");
        load("sh", 2, "inverted");
        http.post("/v1/admin/models/sh/arms", "{\"A\": 1, \"B\": 2}", TOKEN);
        http.post("/v1/admin/models/sh/weights", "{\"A\": 50, \"B\": 50}", TOKEN);
        Http.Response on = http.post("/v1/admin/models/sh/shadow", "{\"enabled\": true}", TOKEN);
        assertThat(on.json().path("shadow").asBoolean()).isTrue();
        for (int i = 0; i < 40; i++) {
            JsonNode j = http.post("/v1/models/sh/predict",
                    "{\"text\": \"spam\", \"key\": \"k" + i + "\", \"requestId\": \"s" + i + "\"}").json();
            assertThat(j.path("arm").asText()).isEqualTo("A");
            assertThat(j.path("version").asLong()).isEqualTo(1);
        }
        assertThat(server.service().awaitShadowIdle(10_000)).isTrue();
        Await.until(Duration.ofSeconds(5), "40 shadow comparisons", () -> server.metrics().shadowCounts("sh")[1] == 40,
                () -> java.util.Arrays.toString(server.metrics().shadowCounts("sh")));
        assertThat(server.metrics().shadowCounts("sh")[0]).as("the inverted B never agrees").isZero();
        Http.Response fb = http.post("/v1/models/sh/feedback", "{\"requestId\": \"s3\", \"label\": \"spam\"}");
        assertThat(fb.json().path("correct").asBoolean()).isTrue();
        assertThat(fb.json().path("shadow").path("correct").asBoolean()).isFalse();
        assertThat(fb.json().path("accuracy").path("B").path("accuracy").asDouble()).isEqualTo(0.0);
        assertThat(http.get("/metrics").body())
                .contains("bulwark_serving_shadow_comparisons_total{agreement=\"disagree\",model=\"sh\"} 40.0")
                .contains("bulwark_serving_requests_total{arm=\"A\",model=\"sh\"} 40.0");
        http.post("/v1/admin/models/sh/shadow", "{\"enabled\": false}", TOKEN);
    }

    @Test
    void promoteAndRollbackOverHttp() {
        load("pr", 1, "normal");
        load("pr", 2, "inverted");
        http.post("/v1/admin/models/pr/arms", "{\"A\": 1, \"B\": 2}", TOKEN);
        Http.Response promoted = http.post("/v1/admin/models/pr/promote", "", TOKEN);
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.json().path("arms").get(0).path("version").asLong()).isEqualTo(2);
        assertThat(http.post("/v1/models/pr/predict", "{\"text\": \"spam\"}").json().path("version").asLong()).isEqualTo(2);
        Http.Response back = http.post("/v1/admin/models/pr/rollback", "", TOKEN);
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().path("arms").get(0).path("version").asLong()).isEqualTo(1);
        assertThat(http.post("/v1/models/pr/predict", "{\"text\": \"spam\"}").json().path("version").asLong()).isEqualTo(1);
        // before the promotion, A had been set from v2 (auto-promoted) to v1: one more rollback goes there
        Http.Response again = http.post("/v1/admin/models/pr/rollback", "", TOKEN);
        assertThat(again.json().path("arms").get(0).path("version").asLong()).isEqualTo(2);
        assertError(http.post("/v1/admin/models/pr/rollback", "", TOKEN), 409, "no previous A version");
    }

    @Test
    void gateKeepsALessRobustSnapshotOutOfAAndSaysWhy() {
        server.offerReport(FakeModels.report("gated", 1, 0.90, 0.60));
        server.offerReport(FakeModels.report("gated", 2, 0.93, 0.30));
        load("gated", 1, "normal");
        load("gated", 2, "normal");
        JsonNode exp = http.get("/v1/models/gated").json().path("experiment");
        assertThat(exp.path("arms").get(0).path("version").asLong()).as("A stays on v1").isEqualTo(1);
        assertThat(exp.path("gate").path("outcome").asText()).isEqualTo("blocked");
        assertThat(exp.path("gate").path("reason").asText()).contains("v2 robust accuracy 0.300 is 0.300 below A's v1");
        assertError(http.post("/v1/admin/models/gated/promote", "{}", TOKEN), 409, "robustness gate refuses");
        JsonNode dash = http.get("/v1/dashboard?model=gated").json();
        assertThat(dash.path("experiment").path("gate").path("reason").asText()).contains("below A's v1");
        assertThat(dash.path("reports")).hasSize(2);
        assertThat(http.get("/metrics").body()).contains("bulwark_serving_gate_blocked_total{model=\"gated\"} 1.0");
        Http.Response forced = http.post("/v1/admin/models/gated/promote", "{\"force\": true}", TOKEN);
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.json().path("arms").get(0).path("version").asLong()).isEqualTo(2);
    }

    @Test
    void servesTheDashboardAndItsChartingLibrary() {
        Http.Response page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("/webjars/echarts/5.3.1/dist/echarts.min.js", "/static/dashboard.js");
        Http.Response lib = http.get("/webjars/echarts/5.3.1/dist/echarts.min.js");
        assertThat(lib.status()).isEqualTo(200);
        assertThat(lib.body()).contains("echarts");
        assertThat(http.get("/static/dashboard.js").status()).isEqualTo(200);
        Http.Response data = http.get("/v1/dashboard");
        assertThat(data.status()).isEqualTo(200);
        assertThat(data.json().has("models")).isTrue();
    }
}
