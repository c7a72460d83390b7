package io.bulwark.serving.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.bench.BenchModels;
import io.bulwark.serving.bench.HotSwapLoad;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.RealModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bounded load on loopback with real models while versions hot-swap: every request is answered, 200 or 503 (with
 * Retry-After), never another error, and the new versions take over under load; with the inference thread and
 * without it (requests then wait for the version's lock). Asserts on errors, not on timing.
 */
class HotSwapLoadTest {

    @ParameterizedTest(name = "inference batch {0}")
    @ValueSource(ints = {64, 0})
    void concurrentClientsWhileVersionsHotSwapSeeNoErrorButUnavailable(int inferenceBatch) throws Exception {
        List<RealModels.Version> trained = RealModels.train("load", 2, 2, 5);
        List<ModelSnapshot> versions = new ArrayList<>();
        for (long v = 2; v <= 7; v++) {
            // alternate the two trained payloads under increasing version numbers
            versions.add(ModelSnapshot.newBuilder(trained.get((int) (v % 2)).snapshot()).setVersion(v).build());
        }
        List<String> texts = BenchModels.generated(3, 200).stream().map(Example::text).toList();
        ServingConfig config = ServingConfig.builder().optPort(0).optMaxVersionsPerModel(2)
                .optGate(1.0, false).optOverload(64, 5_000, 1).optInferenceBatchTexts(inferenceBatch).build();
        try (ServingServer server = ServingServer.start(config)) {
            server.offer(trained.get(0).snapshot());
            Await.until(Duration.ofSeconds(60), "v1 loaded",
                    () -> server.registry().find("load").flatMap(s -> s.version(1)).isPresent());
            HotSwapLoad.Result r = HotSwapLoad.run(server, "load", versions, texts,
                    new HotSwapLoad.Settings(6, 60, Duration.ofMillis(150), Duration.ofSeconds(30)));
            assertThat(r.requests()).isEqualTo(360);
            assertThat(r.errors()).as("answers other than 200 and 503: %s %s", r.statuses(), r.samples()).isZero();
            assertThat(r.unavailableWithoutRetryAfter()).isZero();
            assertThat(r.statuses().getOrDefault(200, 0L)).as("%s", r.statuses()).isPositive();
            assertThat(r.versionsPublished()).as("versions offered during the load").isGreaterThanOrEqualTo(2);
            assertThat(r.versionsServed().keySet()).as("versions that answered").hasSizeGreaterThanOrEqualTo(2);
            long last = 1 + r.versionsPublished();
            Await.until(Duration.ofSeconds(60), "the last offered version loaded",
                    () -> server.registry().find("load").flatMap(s -> s.version(last)).isPresent());
            assertThat(server.registry().require("load").loadedCount()).isLessThanOrEqualTo(3);
        }
    }
}
