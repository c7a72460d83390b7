package io.bulwark.job.train;

import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.learner.Learner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Learners used from several threads at once (Flink subtasks, a task and its restarted attempt) train as if alone,
 * without a JVM-wide lock.
 */
class DjlLockTest {

    /** What one learner's run produced: the loss of every batch and the final parameters. */
    private record Run(List<Double> losses, Map<String, float[]> parameters) {
    }

    private static List<List<Example>> batches(int n, long seed) {
        List<List<Example>> out = new ArrayList<>();
        var ev = TestData.events("m", "e", n, seed);
        for (int i = 0; i < ev.size(); i += 4) {
            List<Example> b = new ArrayList<>();
            for (int j = i; j < i + 4; j++) {
                b.add(new Example(ev.get(j).text, ev.get(j).label, 1f));
            }
            out.add(b);
        }
        return out;
    }

    /** Trains a fresh learner on {@code bs}; with a barrier, every batch starts together with the other thread's. */
    private static Run train(LearnerConfig config, List<List<Example>> bs, CyclicBarrier barrier) {
        List<Double> losses = new ArrayList<>();
        Learner l = DjlLock.locked(() -> Learner.create(config, "cpu"));
        try {
            for (List<Example> b : bs) {
                if (barrier != null) {
                    barrier.await(2, TimeUnit.MINUTES);
                }
                losses.add(DjlLock.locked(() -> l.train(b)).loss());
            }
            return new Run(losses, DjlLock.locked(l::parameterValues));
        } catch (Exception | Error e) {
            if (barrier != null) {
                barrier.reset(); // the other thread fails at once instead of waiting for this one
            }
            throw new IllegalStateException(e);
        } finally {
            DjlLock.locked(l::close);
        }
    }

    private static void assertSameRun(Run got, Run expected, String name) {
        assertThat(got.losses()).as("%s losses", name).isEqualTo(expected.losses());
        assertThat(got.parameters().keySet()).isEqualTo(expected.parameters().keySet());
        expected.parameters().forEach((k, v) ->
                assertThat(got.parameters().get(k)).as("%s parameter %s", name, k).containsExactly(v));
    }

    @AfterEach
    void lockOff() {
        DjlLock.setGlobalLock(false);
    }

    @Test
    void twoLearnersTrainingAtTheSameTimeMatchTheirSoloRunsBitwise() throws Exception {
        assertThat(DjlLock.globalLock()).as("no JVM-wide lock by default").isFalse();
        DjlLock.setIntraOpThreads(1);
        LearnerConfig freeAt = TestData.smallLearner().build();
        LearnerConfig pgd = TestData.smallLearner().optStrategy(LearnerConfig.StrategyType.PGD)
                .optBregmanWeight(1.0).build();
        List<List<Example>> a = batches(240, 21);
        List<List<Example>> b = batches(240, 22);
        Run soloA = train(freeAt, a, null);
        Run soloB = train(pgd, b, null);
        for (int rep = 0; rep < 2; rep++) {
            Run[] got = new Run[2];
            CyclicBarrier together = new CyclicBarrier(2);
            Thread ta = new Thread(() -> got[0] = train(freeAt, a, together));
            Thread tb = new Thread(() -> got[1] = train(pgd, b, together));
            ta.start();
            tb.start();
            ta.join();
            tb.join();
            assertSameRun(got[0], soloA, "A rep " + rep);
            assertSameRun(got[1], soloB, "B rep " + rep);
        }
    }

    @Test
    void theGlobalLockSerialisesOperationsWhenItIsOn() throws Exception {
        DjlLock.setGlobalLock(true);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Runnable work = () -> {
            for (int i = 0; i < 20; i++) {
                DjlLock.locked(() -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inside.decrementAndGet();
                });
            }
        };
        Thread t1 = new Thread(work);
        Thread t2 = new Thread(work);
        t1.start();
        t2.start();
        t1.join();
        t2.join();
        assertThat(most.get()).isEqualTo(1);
    }
}
