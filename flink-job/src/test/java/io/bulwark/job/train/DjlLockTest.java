package io.bulwark.job.train;

import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Learners used from several threads at once (Flink subtasks, a task and its restarted attempt) train as if alone,
 * without a JVM-wide lock.
 */
class DjlLockTest {

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
        List<List<Example>> a = LearnerRuns.batches(240, 21);
        List<List<Example>> b = LearnerRuns.batches(240, 22);
        LearnerRuns.Run soloA = LearnerRuns.train(freeAt, a, null);
        LearnerRuns.Run soloB = LearnerRuns.train(pgd, b, null);
        for (int rep = 0; rep < 2; rep++) {
            LearnerRuns.Run[] got = LearnerRuns.together(freeAt, a, pgd, b);
            LearnerRuns.assertSameRun(got[0], soloA, "A rep " + rep);
            LearnerRuns.assertSameRun(got[1], soloB, "B rep " + rep);
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
