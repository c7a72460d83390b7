package io.bulwark.job.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes every learner operation of this JVM (per job class loader) and runs it with autograd's grad mode off,
 * as DJL expects.
 *
 * <p>DJL's PyTorch engine allows one gradient collector per JVM at a time (a static flag in
 * {@code PtGradientCollector}), while autograd's grad mode is per native thread. Two training subtasks in one task
 * manager (several slots, or several models keyed to different subtasks of one JVM) would otherwise fail with
 * "A PtGradientCollector is already collecting" or corrupt each other's grad mode. Holding this lock around
 * training, evaluation, snapshotting and checkpointing lets subtasks share a task manager; each operation still
 * uses libtorch's intra-op threads. For throughput, give training task managers one slot each.
 *
 * <p>Threads: see {@link #setIntraOpThreads}.
 *
 * <p>Grad mode: DJL turns it off once, on the thread that loads the engine, and a gradient collector restores the
 * mode it found. Flink calls the operator from other threads (and from new ones after every restart), where
 * libtorch's per-thread default is on, so parameter updates would fail with "a leaf Variable that requires grad is
 * being used in an in-place operation". Each locked operation therefore starts with grad mode off.
 */
public final class DjlLock {

    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private static volatile boolean engineLoaded;
    private static volatile int intraOpThreads = 1;

    private DjlLock() {
    }

    /**
     * Sets libtorch's intra-op threads for learner operations (0 keeps libtorch's default, one per core).
     *
     * <p>1 (the job's default) makes training bitwise reproducible: with several intra-op threads some CPU kernels
     * reduce in a scheduling-dependent order, so two runs (or a run and its recovery) drift apart in the last bits
     * and then visibly. The setting is per JVM; OpenMP keeps it per calling thread, so it is applied on every thread
     * that enters the lock.
     */
    public static void setIntraOpThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("Intra-op threads must be >= 0, got " + threads);
        }
        intraOpThreads = threads;
    }

    private static void gradModeOff() {
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

    /** Runs {@code action} while holding the lock and returns its result. */
    public static <T> T locked(Supplier<T> action) {
        LOCK.lock();
        try {
            gradModeOff();
            return action.get();
        } finally {
            LOCK.unlock();
        }
    }

    /** Runs {@code action} while holding the lock. */
    public static void locked(Runnable action) {
        LOCK.lock();
        try {
            gradModeOff();
            action.run();
        } finally {
            LOCK.unlock();
        }
    }
}
