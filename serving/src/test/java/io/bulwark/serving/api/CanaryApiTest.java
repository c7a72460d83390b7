package io.bulwark.serving.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The canary, alias and rollback endpoints, with keyword models and a canary set handed over directly. */
class CanaryApiTest {

    private static final String TOKEN = "test-admin-token";
    private static ServingServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = ServingServer.start(ServingConfig.builder()
                .optPort(0)
                .optLoader(new FakeModels.Loader())
                .optAdminToken(TOKEN)
                .optGateMinExamples(20)
                .optCanary(50, 3)
                .build());
        http = new Http(server.url());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void load(String model, long version, String payload) throws InterruptedException {
        server.offer(FakeModels.snapshot(model, version, payload));
        Await.until(Duration.ofSeconds(10), model + " v" + version,
                () -> server.registry().find(model).flatMap(s -> s.version(version)).isPresent());
        Await.until(Duration.ofSeconds(10), model + " v" + version + " scored",
                () -> server.registry().require(model).canary().scores().scoredOn(version).isPresent());
        assertThat(server.registry().awaitCanaryIdle(10_000)).isTrue();
    }

    private static void heldOut(String model, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            server.registry().offerHeldOut(model, "e" + i, i % 2 == 0 ? "spam offer " + i : "lunch plans " + i,
                    i % 2 == 0 ? "spam" : "ham");
        }
        assertThat(server.registry().awaitCanaryIdle(10_000)).isTrue();
    }

    private static void assertError(Http.Response r, int status, String messagePart) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.json().path("error").asText()).contains(messagePart);
    }

    @Test
    void showsTheCanarySetEachVersionsScoresAndTheGateStatistics() throws Exception {
        heldOut("c", 30);
        load("c", 1, "normal");
        load("c", 2, "inverted");
        Http.Response r = http.get("/v1/models/c/canary");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.path("canary").path("size").asInt()).isEqualTo(30);
        assertThat(j.path("canary").path("version").asLong()).isEqualTo(30);
        assertThat(j.path("canary").path("attacks").toString()).contains("typo", "leet", "separator", "good-words");
        JsonNode v2 = j.path("versions").get(0);
        assertThat(v2.path("version").asLong()).isEqualTo(2);
        assertThat(v2.path("scores").path("cleanAccuracy").asDouble()).isEqualTo(0.0);
        assertThat(j.path("versions").get(1).path("scores").path("cleanAccuracy").asDouble()).isEqualTo(1.0);
        JsonNode gate = j.path("gate");
        assertThat(gate.path("outcome").asText()).isEqualTo("blocked");
        assertThat(gate.path("basis").asText()).isEqualTo("canary");
        assertThat(gate.path("clean").path("n").asInt()).isEqualTo(30);
        assertThat(gate.path("clean").path("b").asInt()).isEqualTo(30);
        assertThat(gate.path("clean").path("c").asInt()).isZero();
        assertThat(gate.path("clean").path("pWorse").asDouble()).isLessThan(1e-6);
        assertThat(j.path("aliases").path("champion").path("version").asLong()).isEqualTo(1);
        assertThat(j.path("aliases").path("challenger").path("version").asLong()).isEqualTo(2);
        // the dashboard document carries the same decision and the canary set
        JsonNode dash = http.get("/v1/dashboard?model=c").json();
        assertThat(dash.path("experiment").path("gate").path("clean").path("b").asInt()).isEqualTo(30);
        assertThat(dash.path("canary").path("size").asInt()).isEqualTo(30);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("bulwark_serving_canary_examples{model=\"c\"} 30.0")
                .contains("bulwark_serving_canary_accuracy{arm=\"A\",kind=\"clean\",model=\"c\"} 1.0")
                .contains("bulwark_serving_canary_accuracy{arm=\"B\",kind=\"clean\",model=\"c\"} 0.0");
    }

    @Test
    void setsAliasesPinsAndRollsBackByApi() throws Exception {
        heldOut("p", 30);
        load("p", 1, "normal");
        load("p", 2, "normal");
        load("p", 3, "normal");
        Http.Response aliases = http.get("/v1/models/p/aliases");
        assertThat(aliases.json().path("champion").path("version").asLong()).isEqualTo(3);
        assertThat(aliases.json().path("champion").path("pinned").asBoolean()).isFalse();

        Http.Response pin = http.post("/v1/admin/models/p/aliases/champion", "{\"version\": 1}", TOKEN);
        assertThat(pin.status()).as(pin.body()).isEqualTo(200);
        assertThat(pin.json().path("aliases").path("champion").path("version").asLong()).isEqualTo(1);
        assertThat(pin.json().path("aliases").path("champion").path("pinned").asBoolean()).isTrue();
        Http.Response challenger = http.post("/v1/admin/models/p/aliases/challenger", "{\"version\": 2}", TOKEN);
        assertThat(challenger.json().path("aliases").path("challenger").path("version").asLong()).isEqualTo(2);

        Http.Response promote = http.post("/v1/admin/models/p/promote", "", TOKEN);
        assertThat(promote.status()).as(promote.body()).isEqualTo(200);
        assertThat(promote.json().path("aliases").path("champion").path("version").asLong()).isEqualTo(2);

        Http.Response back = http.post("/v1/admin/models/p/rollback", "{\"version\": 3}", TOKEN);
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(back.json().path("aliases").path("champion").path("version").asLong()).isEqualTo(3);
        Http.Response previous = http.post("/v1/admin/models/p/rollback", "", TOKEN);
        assertThat(previous.json().path("aliases").path("champion").path("version").asLong()).isEqualTo(2);

        Http.Response latest = http.post("/v1/admin/models/p/aliases/champion", "{\"version\": \"latest\"}", TOKEN);
        assertThat(latest.json().path("aliases").path("champion").path("spec").asText()).isEqualTo("latest");
        assertThat(latest.json().path("aliases").path("champion").path("version").asLong()).isEqualTo(3);

        assertError(http.post("/v1/admin/models/p/aliases/boss", "{\"version\": 1}", TOKEN), 400, "unknown alias 'boss'");
        assertError(http.post("/v1/admin/models/p/aliases/champion", "{\"version\": \"none\"}", TOKEN), 400,
                "cannot be 'none'");
        assertError(http.post("/v1/admin/models/p/aliases/champion", "{\"v\": 1}", TOKEN), 400, "send {\"version\"");
        assertError(http.post("/v1/admin/models/p/aliases/champion", "{\"version\": 9}", TOKEN), 404,
                "no loaded version 9");
        assertError(http.post("/v1/admin/models/p/rollback", "{\"version\": \"x\"}", TOKEN), 400, "version");
        assertError(http.post("/v1/admin/models/p/rollback", "{\"version\": 9}", TOKEN), 404, "no loaded version 9");
        assertError(http.post("/v1/admin/models/p/rollback", "{\"version\": 3}", TOKEN), 409, "already serves v3");
        assertError(http.post("/v1/admin/models/nope/aliases/champion", "{\"version\": 1}", TOKEN), 404,
                "unknown model");
        assertThat(http.post("/v1/admin/models/p/aliases/champion", "{\"version\": 1}").status()).isEqualTo(401);
        assertError(http.get("/v1/models/nope/canary"), 404, "unknown model");
    }
}
