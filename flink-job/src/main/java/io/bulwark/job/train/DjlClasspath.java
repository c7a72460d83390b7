package io.bulwark.job.train;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.FlinkUserCodeClassLoader;

/**
 * Checks, when the training operator opens, that DJL comes from the cluster's own classpath ({@code lib/}) and not
 * from a job's classloader.
 *
 * <p>libtorch's JNI library can be bound to one classloader per JVM. When DJL is loaded by a job's user-code
 * classloader, the first job on a TaskManager trains, but the next one there (the job cancelled and submitted
 * again, or another job) gets a new classloader and fails with {@code EngineException: Failed to load PyTorch
 * native library}, restarting forever. The job jar therefore leaves DJL out, and the cluster must provide it. Both
 * ways to get this wrong (DJL missing, or DJL in a job jar or {@code pipeline.classpaths}) fail the job at once,
 * without restarts ({@link SuppressRestartsException}), with a message that says what to do.
 */
public final class DjlClasspath {

    /** The class whose loader is checked: DJL's engine registry, loaded before anything else of DJL. */
    static final String ENGINE_CLASS = "ai.djl.engine.Engine";

    private static final String FIX = "Copy DJL's jars into $FLINK_HOME/lib/ of every JobManager and TaskManager "
            + "(ai.djl:api, ai.djl.pytorch:pytorch-engine, ai.djl.pytorch:pytorch-jni, the natives "
            + "ai.djl.pytorch:pytorch-native-cpu:linux-x86_64 or a GPU libtorch, and net.java.dev.jna:jna, "
            + "com.google.code.gson:gson), set 'classloader.parent-first-patterns.additional: ai.djl.' and "
            + "restart the cluster; see 'Running the job on a Flink cluster' in docs/streaming-job.md";

    private DjlClasspath() {
    }

    /**
     * Fails without restarts unless {@code userCodeLoader} resolves DJL to a class of the cluster's classpath.
     *
     * @param userCodeLoader the job's user-code classloader (the operator's own loader)
     * @throws SuppressRestartsException when DJL is missing or loaded by a job's classloader
     */
    public static void require(ClassLoader userCodeLoader) {
        Class<?> engine;
        try {
            engine = Class.forName(ENGINE_CLASS, false, userCodeLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new SuppressRestartsException(new IllegalStateException(
                    "DJL is not on this Flink cluster's classpath: the Bulwark job jar does not bundle it. " + FIX, e));
        }
        ClassLoader loader = engine.getClassLoader();
        if (loader instanceof FlinkUserCodeClassLoader) {
            throw new SuppressRestartsException(new IllegalStateException(
                    "DJL was loaded by a job's classloader (" + loader + "), from a job jar or "
                            + "pipeline.classpaths: its native library could not load again for the next job on "
                            + "this TaskManager ('Failed to load PyTorch native library'). Remove DJL from the "
                            + "job's jars. " + FIX));
        }
    }
}
