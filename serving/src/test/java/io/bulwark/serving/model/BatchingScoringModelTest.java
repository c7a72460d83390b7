package io.bulwark.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.serving.error.ServingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchingScoringModelTest {

    /** Echoes each text as its label; the first call blocks until released; records every call's size and thread. */
    static final class Recording implements ScoringModel {
        final List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstCallStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean closed;

        @Override
        public List<String> labels() {
            return List.of("x");
        }

        @Override
        public List<Scored> predict(List<String> texts) {
            calls.add(texts.size());
            threads.add(Thread.currentThread().getName());
            if (calls.size() == 1) {
                firstCallStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (texts.contains("boom")) {
                throw new IllegalArgumentException("cannot score boom");
            }
            return texts.stream().map(t -> new Scored(t, new float[] {1f})).toList();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void mergesWaitingRequestsIntoOneForwardPassOnOneThread() throws Exception {
        Recording delegate = new Recording();
        BatchingScoringModel model = new BatchingScoringModel(delegate, "m v1", 64);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<List<Scored>> first = pool.submit(() -> model.predict(List.of("a")));
            assertThat(delegate.firstCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
            List<Future<List<Scored>>> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                waiting.add(pool.submit(() -> model.predict(List.of("r" + n + "-0", "r" + n + "-1"))));
            }
            awaitQueued(model, 3);
            delegate.release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).extracting(Scored::label).containsExactly("a");
            for (int i = 0; i < 3; i++) {
                assertThat(waiting.get(i).get(5, TimeUnit.SECONDS)).extracting(Scored::label)
                        .containsExactly("r" + i + "-0", "r" + i + "-1");
            }
            assertThat(delegate.calls).containsExactly(1, 6);
            assertThat(delegate.threads).containsOnly("bulwark-inference-m-v1");
        } finally {
            pool.shutdownNow();
            model.close();
        }
    }

    @Test
    void aFailingRequestDoesNotFailTheOthersMergedWithIt() throws Exception {
        Recording delegate = new Recording();
        BatchingScoringModel model = new BatchingScoringModel(delegate, "m v2", 64);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<List<Scored>> first = pool.submit(() -> model.predict(List.of("a")));
            assertThat(delegate.firstCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
            Future<List<Scored>> bad = pool.submit(() -> model.predict(List.of("boom")));
            Future<List<Scored>> good = pool.submit(() -> model.predict(List.of("fine")));
            awaitQueued(model, 2);
            delegate.release.countDown();
            first.get(5, TimeUnit.SECONDS);
            assertThat(good.get(5, TimeUnit.SECONDS)).extracting(Scored::label).containsExactly("fine");
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot score boom");
        } finally {
            pool.shutdownNow();
            model.close();
        }
    }

    @Test
    void anErrorInTheEngineAnswersTheCallerAndKeepsTheThreadAlive() {
        ScoringModel failing = new ScoringModel() {
            @Override
            public List<String> labels() {
                return List.of("x");
            }

            @Override
            public List<Scored> predict(List<String> texts) {
                if (texts.contains("error")) {
                    throw new NoClassDefFoundError("engine class went missing");
                }
                return texts.stream().map(t -> new Scored(t, new float[] {1f})).toList();
            }

            @Override
            public void close() {}
        };
        BatchingScoringModel model = new BatchingScoringModel(failing, "m v4", 8);
        try {
            assertThatThrownBy(() -> model.predict(List.of("error"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("engine class went missing");
            assertThat(model.predict(List.of("ok"))).extracting(Scored::label).containsExactly("ok");
        } finally {
            model.close();
        }
    }

    @Test
    void closeClosesTheDelegateAndRefusesLaterCalls() throws Exception {
        Recording delegate = new Recording();
        delegate.release.countDown();
        BatchingScoringModel model = new BatchingScoringModel(delegate, "m v3", 8);
        assertThat(model.predict(List.of("a"))).hasSize(1);
        model.close();
        assertThatThrownBy(() -> model.predict(List.of("b"))).isInstanceOf(ModelClosedException.class);
        long deadline = System.currentTimeMillis() + 5000;
        while (!delegate.closed && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(delegate.closed).isTrue();
    }

    @Test
    void aRequestRacingCloseIsAnsweredOrRefusedNeverLeftWaiting() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                Recording delegate = new Recording();
                delegate.release.countDown();
                BatchingScoringModel model = new BatchingScoringModel(delegate, "m race", 8);
                List<Future<Object>> calls = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    calls.add(pool.submit(() -> {
                        try {
                            return model.predict(List.of("a"));
                        } catch (ModelClosedException e) {
                            return e;
                        }
                    }));
                }
                model.close();
                for (Future<Object> call : calls) {
                    // Answered (a list) or refused (ModelClosedException), within the timeout: never a hang.
                    assertThat(call.get(10, TimeUnit.SECONDS)).isInstanceOfAny(List.class, ModelClosedException.class);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsBeyondTheQueueBoundAreRefusedAsUnavailable() throws Exception {
        Recording delegate = new Recording();
        BatchingScoringModel model = new BatchingScoringModel(delegate, "m busy", 1, 2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<List<Scored>> first = pool.submit(() -> model.predict(List.of("first")));
            assertThat(delegate.firstCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
            Future<List<Scored>> second = pool.submit(() -> model.predict(List.of("second")));
            Future<List<Scored>> third = pool.submit(() -> model.predict(List.of("third")));
            awaitQueued(model, 2);
            assertThatThrownBy(() -> model.predict(List.of("fourth")))
                    .isInstanceOf(ServingException.class)
                    .hasMessageContaining("2 requests waiting")
                    .satisfies(e -> assertThat(((ServingException) e).reason())
                            .isEqualTo(ServingException.Reason.UNAVAILABLE));
            delegate.release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).hasSize(1);
            assertThat(second.get(5, TimeUnit.SECONDS)).hasSize(1);
            assertThat(third.get(5, TimeUnit.SECONDS)).hasSize(1);
        } finally {
            model.close();
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestWaitingLongerThanTheTimeOutIsAnsweredUnavailableWithRetryAfterAndDroppedFromTheQueue()
            throws Exception {
        Recording delegate = new Recording();
        BatchingScoringModel model = new BatchingScoringModel(delegate, "m slow", 1, new InferenceLimits(8, 300, 2));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<Scored>> first = pool.submit(() -> model.predict(List.of("first")));
            assertThat(delegate.firstCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            // queued behind the blocked forward pass: answered when its time-out runs out, not when the pass ends
            assertThatThrownBy(() -> model.predict(List.of("second")))
                    .isInstanceOf(ServingException.class)
                    .hasMessageContaining("time-out of 300 ms")
                    .hasMessageContaining("still waiting")
                    .satisfies(e -> {
                        assertThat(((ServingException) e).reason()).isEqualTo(ServingException.Reason.UNAVAILABLE);
                        assertThat(((ServingException) e).retryAfterSeconds()).isEqualTo(2);
                    });
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(waited).as("waited %d ms", waited).isBetween(250L, 5_000L);
            assertThat(model.queued()).as("the abandoned request left the queue").isZero();
            // the first request's own caller also gave up, while its forward pass was running
            assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ServingException.class)
                    .hasMessageContaining("forward pass was running");
            delegate.release.countDown();
            assertThat(model.predict(List.of("third"))).extracting(Scored::label).containsExactly("third");
            assertThat(delegate.calls).as("the abandoned request was never scored").containsExactly(1, 1);
        } finally {
            model.close();
            pool.shutdownNow();
        }
    }

    private static void awaitQueued(BatchingScoringModel model, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (model.queued() < n) {
            assertThat(System.currentTimeMillis()).as("%d requests queued", n).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
