package io.bulwark.cli.learner;

import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.learner.Learner;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several learners of one configuration trained at the same time, one per thread, on the same batches: how the
 * learner scales with the number of models a process trains (a task manager's slots).
 */
final class ConcurrentLearners {

    private ConcurrentLearners() {}

    /**
     * Total examples/s of {@code n} learners, each on its own thread, over the batches after the first {@code warm}:
     * every learner trains its warm-up batches, all start the timed batches together, and the time runs from that
     * start until the last learner is done.
     *
     * @param threads intra-op threads per learner thread, or null for libtorch's default
     */
    static double examplesPerSecond(LearnerConfig config, String device, List<List<Example>> batches, int warm,
                                    int n, Integer threads) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(n + 1);
        CyclicBarrier end = new CyclicBarrier(n + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[n];
        for (int w = 0; w < n; w++) {
            workers[w] = new Thread(() -> {
                try {
                    try (Learner learner = Learner.create(config, device)) {
                        if (threads != null) {
                            JniUtils.setNumThreads(threads); // OpenMP keeps the setting per thread
                        }
                        for (int i = 0; i < warm; i++) {
                            learner.train(batches.get(i));
                        }
                        start.await();
                        for (int i = warm; i < batches.size(); i++) {
                            learner.train(batches.get(i));
                        }
                        end.await();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    start.reset();
                    end.reset();
                }
            }, "bench-learner-" + w);
            workers[w].start();
        }
        long t0;
        long t1;
        try {
            start.await();
            t0 = System.nanoTime();
            end.await();
            t1 = System.nanoTime();
        } catch (java.util.concurrent.BrokenBarrierException e) {
            for (Thread t : workers) {
                t.join();
            }
            throw new IllegalStateException("A concurrent learner failed", failure.get());
        }
        for (Thread t : workers) {
            t.join();
        }
        long examples = 0;
        for (int i = warm; i < batches.size(); i++) {
            examples += batches.get(i).size();
        }
        return n * examples / ((t1 - t0) / 1e9);
    }
}
