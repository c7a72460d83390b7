package io.bulwark.cli.learner;

import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.learner.Learner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several learners of one configuration trained at the same time, one per thread, on the same batches: how the
 * learner scales with the number of models a process trains (a task manager's slots).
 */
final class ConcurrentLearners {

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private ConcurrentLearners() {}

    /**
     * What {@link #run} measured.
     *
     * @param examplesPerSecond total examples/s of all learners
     * @param runnableShare mean over the learner threads of the share of their timed wall time that they were
     *     running or waiting for a core, i.e. not blocked (from Linux's per-thread schedstat; NaN elsewhere): close
     *     to 1 when nothing serialises the learners, about 1/N when one lock does
     */
    record Result(double examplesPerSecond, double runnableShare) {}

    /**
     * Trains {@code n} learners, each on its own thread, over the batches after the first {@code warm}: every
     * learner trains its warm-up batches, all start the timed batches together, and the time runs from that start
     * until the last learner is done.
     *
     * @param threads intra-op threads per learner thread, or null for libtorch's default
     */
    static Result run(LearnerConfig config, String device, List<List<Example>> batches, int warm, int n,
                      Integer threads) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(n + 1);
        CyclicBarrier end = new CyclicBarrier(n + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        double[] runnable = new double[n];
        Thread[] workers = new Thread[n];
        for (int w = 0; w < n; w++) {
            int index = w;
            workers[w] = new Thread(() -> {
                try (Learner learner = Learner.create(config, device)) {
                    if (threads != null) {
                        JniUtils.setNumThreads(threads); // OpenMP keeps the setting per thread
                    }
                    for (int i = 0; i < warm; i++) {
                        learner.train(batches.get(i));
                    }
                    start.await();
                    long[] s0 = schedstat();
                    long t0 = System.nanoTime();
                    for (int i = warm; i < batches.size(); i++) {
                        learner.train(batches.get(i));
                    }
                    long t1 = System.nanoTime();
                    long[] s1 = schedstat();
                    runnable[index] = s0 == null || s1 == null ? Double.NaN
                            : (double) (s1[0] - s0[0] + s1[1] - s0[1]) / (t1 - t0);
                    end.await();
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
        } catch (BrokenBarrierException e) {
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
        double share = 0;
        for (double r : runnable) {
            share += r / n;
        }
        return new Result(n * examples / ((t1 - t0) / 1e9), share);
    }

    /** The calling thread's time on a core and waiting for one, in ns, or null where Linux's schedstat is missing. */
    private static long[] schedstat() {
        try {
            String[] f = Files.readString(SCHEDSTAT).trim().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
