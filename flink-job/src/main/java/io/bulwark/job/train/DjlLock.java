package io.bulwark.job.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs learner operations on the calling thread with autograd's grad mode off and the configured intra-op threads,
 * as DJL expects; by default without any lock, so learners of different subtasks train at the same time.
 *
 * <p>Concurrency: the learner's training passes switch grad mode on the calling thread only and call libtorch's
 * backward directly ({@code io.bulwark.model.nn.Autograd}); they no longer open DJL's {@code PtGradientCollector},
 * whose static flag allowed one collector per JVM. libtorch keeps grad mode per native thread, and every learner
 * owns its arrays, so two learners on two threads do not interfere. A learner itself is not thread-safe: it must be
 * confined to one thread at a time, which the training operator does (training, snapshots and checkpoints of a
 * subtask's learners all run in that subtask's task thread). {@link #setGlobalLock(boolean)} (or
 * {@code -Dbulwark.djl.globalLock=true}) brings back one lock for every learner operation of the JVM, the behaviour
 * before learners could run concurrently.
 *
 * <p>Threads: see {@link #setIntraOpThreads}.
 *
 * <p>Grad mode: DJL turns it off once, on the thread that loads the engine. Flink calls the operator from other
 * threads (and from new ones after every restart), where libtorch's per-thread default is on, so parameter updates
 * would fail with "a leaf Variable that requires grad is being used in an in-place operation". Each operation run
 * through this class therefore starts with grad mode off on its thread.
 */
public final class DjlLock {

    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private static volatile boolean engineLoaded;
    private static volatile int intraOpThreads = 1;
    private static volatile boolean globalLock = Boolean.getBoolean("bulwark.djl.globalLock");

    private DjlLock() {
    }

    /**
     * Sets libtorch's intra-op threads for learner operations (0 keeps libtorch's default, one per core).
     *
     * <p>1 (the job's default) makes training bitwise reproducible: with several intra-op threads some CPU kernels
     * reduce in a scheduling-dependent order, so two runs (or a run and its recovery) drift apart in the last bits
     * and then visibly. The setting is per JVM; OpenMP keeps it per calling thread, so it is applied on every thread
     * that runs an operation.
     */
    public static void setIntraOpThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("Intra-op threads must be >= 0, got " + threads);
        }
        intraOpThreads = threads;
    }

    /** Whether every learner operation of the JVM is serialised by one lock (default false). */
    public static void setGlobalLock(boolean on) {
        globalLock = on;
    }

    /** Whether the JVM-wide lock is on. */
    public static boolean globalLock() {
        return globalLock;
    }

    private static void prepareThread() {
        if (!engineLoaded) {
            Engine.getEngine("PyTorch");
            engineLoaded = true;
        }
        JniUtils.setGradMode(false);
        int threads = intraOpThreads;
        if (threads > 0 && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    /** Runs {@code action} on this thread, prepared for DJL (and under the JVM-wide lock when it is on). */
    public static <T> T locked(Supplier<T> action) {
        boolean lock = globalLock;
        if (lock) {
            LOCK.lock();
        }
        try {
            prepareThread();
            return action.get();
        } finally {
            if (lock) {
                LOCK.unlock();
            }
        }
    }

    /** Runs {@code action} on this thread, prepared for DJL (and under the JVM-wide lock when it is on). */
    public static void locked(Runnable action) {
        locked(() -> {
            action.run();
            return null;
        });
    }
}
