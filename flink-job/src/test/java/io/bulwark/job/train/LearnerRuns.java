package io.bulwark.job.train;

import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.learner.Learner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole learner runs, alone or in lockstep with another thread's, for the concurrency tests. */
final class LearnerRuns {

    /** What one learner's run produced: the loss of every batch and the final parameters and teacher. */
    record Run(List<Double> losses, Map<String, float[]> parameters, Map<String, float[]> teacher) {
    }

    private LearnerRuns() {
    }

    /** {@code n} events of one model in batches of 4. */
    static List<List<Example>> batches(int n, long seed) {
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
    static Run train(LearnerConfig config, List<List<Example>> bs, CyclicBarrier barrier) {
        List<Double> losses = new ArrayList<>();
        Learner l = DjlLock.locked(() -> Learner.create(config, "cpu"));
        try {
            for (List<Example> b : bs) {
                if (barrier != null) {
                    barrier.await(2, TimeUnit.MINUTES);
                }
                losses.add(DjlLock.locked(() -> l.train(b)).loss());
            }
            return new Run(losses, DjlLock.locked(l::parameterValues), DjlLock.locked(l::teacherValues));
        } catch (Exception | Error e) {
            if (barrier != null) {
                barrier.reset(); // the other thread fails at once instead of waiting for this one
            }
            throw new IllegalStateException(e);
        } finally {
            DjlLock.locked(l::close);
        }
    }

    /** Runs both on two threads at once, each batch started together, and returns their results in order. */
    static Run[] together(LearnerConfig configA, List<List<Example>> a, LearnerConfig configB,
                          List<List<Example>> b) throws InterruptedException {
        Run[] got = new Run[2];
        CyclicBarrier barrier = new CyclicBarrier(2);
        Thread ta = new Thread(() -> got[0] = train(configA, a, barrier));
        Thread tb = new Thread(() -> got[1] = train(configB, b, barrier));
        ta.start();
        tb.start();
        ta.join();
        tb.join();
        return got;
    }

    /** Asserts equal losses, parameters and teacher, bit for bit. */
    static void assertSameRun(Run got, Run expected, String name) {
        assertThat(got).as("%s finished", name).isNotNull();
        assertThat(got.losses()).as("%s losses", name).isEqualTo(expected.losses());
        assertBitwise(got.parameters(), expected.parameters(), name + " parameter");
        assertBitwise(got.teacher(), expected.teacher(), name + " teacher");
    }

    private static void assertBitwise(Map<String, float[]> got, Map<String, float[]> expected, String what) {
        assertThat(got.keySet()).as(what + "s").isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat(got.get(k)).as("%s %s", what, k).containsExactly(v));
    }
}
