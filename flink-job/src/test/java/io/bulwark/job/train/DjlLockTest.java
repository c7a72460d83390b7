package io.bulwark.job.train;

import io.bulwark.job.testutil.TestData;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Learners used from several threads (Flink subtasks, a task and its restarted attempt) train as if alone. */
class DjlLockTest {
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

    private static List<Double> train(List<List<Example>> bs) {
        List<Double> losses = new ArrayList<>();
        Learner l = DjlLock.locked(() -> Learner.create(TestData.smallLearner().build(), "cpu"));
        for (List<Example> b : bs) {
            losses.add(DjlLock.locked(() -> l.train(b)).loss());
        }
        DjlLock.locked(l::close);
        return losses;
    }

    @Test
    void twoLearnersOnTwoThreadsMatchTheirSoloRuns() throws Exception {
        DjlLock.setIntraOpThreads(1);
        List<List<Example>> a = batches(240, 21);
        List<List<Example>> b = batches(240, 22);
        List<Double> soloA = train(a);
        List<Double> soloB = train(b);
        for (int rep = 0; rep < 2; rep++) {
            @SuppressWarnings("unchecked")
            List<Double>[] got = new List[2];
            Thread ta = new Thread(() -> got[0] = train(a));
            Thread tb = new Thread(() -> got[1] = train(b));
            ta.start();
            tb.start();
            ta.join();
            tb.join();
            assertThat(got[0]).as("A rep %d", rep).isEqualTo(soloA);
            assertThat(got[1]).as("B rep %d", rep).isEqualTo(soloB);
        }
    }
}
