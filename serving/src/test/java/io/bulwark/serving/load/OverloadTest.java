package io.bulwark.serving.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.model.BatchingScoringModel;
import io.bulwark.serving.model.InferenceLimits;
import io.bulwark.serving.model.Scored;
import io.bulwark.serving.model.ScoringModel;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import io.bulwark.serving.testing.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Overload over HTTP: a full queue and a time-out are answered 503 with Retry-After, and no request hangs. */
class OverloadTest {

    /** A model whose forward pass blocks until released. */
    static final class Stuck implements ScoringModel {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public List<String> labels() {
            return List.of("ham", "spam");
        }

        @Override
        public List<Scored> predict(List<String> texts) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return texts.stream().map(t -> new Scored("ham", new float[] {0.9f, 0.1f})).toList();
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    @Test
    void aFullQueueAndATimeOutAreAnswered503WithRetryAfterAndNoRequestHangs() throws Exception {
        Stuck stuck = new Stuck();
        InferenceLimits limits = new InferenceLimits(2, 800, 3);
        ServingConfig config = ServingConfig.builder().optPort(0).optOverload(2, 800, 3)
                .optLoader(s -> new BatchingScoringModel(stuck, s.getModelId() + " v" + s.getVersion(), 1, limits))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ServingServer server = ServingServer.start(config)) {
            Http http = new Http(server.url());
            ModelSnapshot v1 = FakeModels.snapshot("m", 1, "normal");
            server.offer(v1);
            Await.until(Duration.ofSeconds(10), "v1 loaded",
                    () -> server.registry().find("m").flatMap(s -> s.version(1)).isPresent());
            List<Future<Http.Response>> calls = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> http.post("/v1/models/m/predict", "{\"text\": \"hello\"}")));
            }
            List<Http.Response> answers = new ArrayList<>();
            for (Future<Http.Response> f : calls) {
                answers.add(f.get(20, TimeUnit.SECONDS)); // never a hang: every request is answered
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(millis).as("all answered in %d ms, within the time-out plus slack", millis).isLessThan(10_000);
            assertThat(answers).allSatisfy(r -> {
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.raw().headers().firstValue("Retry-After")).hasValue("3");
            });
            List<String> errors = answers.stream().map(r -> r.json().path("error").asText()).toList();
            // the one in the forward pass and those queued (usually 1 or 2, depending on when the worker took the
            // first) time out; the others find the queue of 2 full
            long full = errors.stream().filter(e -> e.contains("2 requests waiting")).count();
            long timedOut = errors.stream().filter(e -> e.contains("time-out of 800 ms")).count();
            assertThat(full + timedOut).as("%s", errors).isEqualTo(8);
            assertThat(timedOut).as("%s", errors).isGreaterThanOrEqualTo(2);
            assertThat(full).as("%s", errors).isPositive();
            assertThat(errors).as("the request in the forward pass").anyMatch(e -> e.contains("forward pass was running"));

            stuck.release.countDown();
            Http.Response ok = http.post("/v1/models/m/predict", "{\"text\": \"hello\"}");
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);

            // a model with no version loaded yet is 503 with Retry-After too
            server.offerReport(FakeModels.report("pending", 1, 0.9, 0.5));
            Await.until(Duration.ofSeconds(5), "pending seen", () -> server.registry().find("pending").isPresent());
            Http.Response none = http.post("/v1/models/pending/predict", "{\"text\": \"hello\"}");
            assertThat(none.status()).isEqualTo(503);
            assertThat(none.raw().headers().firstValue("Retry-After")).hasValue("3");
        } finally {
            stuck.release.countDown();
            pool.shutdownNow();
        }
    }
}
