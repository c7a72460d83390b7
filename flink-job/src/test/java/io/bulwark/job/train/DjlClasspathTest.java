package io.bulwark.job.train;

import ai.djl.engine.Engine;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check that DJL comes from the cluster's classpath, with the classloaders a Flink TaskManager builds. */
class DjlClasspathTest {

    private static final URL DJL_API_JAR = Engine.class.getProtectionDomain().getCodeSource().getLocation();

    @Test
    void djlFromTheParentClasspathPasses() {
        assertThatCode(() -> DjlClasspath.require(DjlClasspathTest.class.getClassLoader())).doesNotThrowAnyException();
        // A job's child-first loader without DJL in its jars resolves DJL from the parent (the cluster's lib/).
        try (URLClassLoader job = userCodeLoader(new URL[0], new String[0])) {
            assertThatCode(() -> DjlClasspath.require(job)).doesNotThrowAnyException();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void djlInTheJobsJarsFailsWithoutRestarts() throws Exception {
        try (URLClassLoader job = userCodeLoader(new URL[] {DJL_API_JAR}, new String[0])) {
            assertThat(Class.forName(DjlClasspath.ENGINE_CLASS, false, job).getClassLoader()).isSameAs(job);
            assertThatThrownBy(() -> DjlClasspath.require(job))
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause()
                    .hasMessageContaining("DJL was loaded by a job's classloader")
                    .hasMessageContaining("classloader.parent-first-patterns.additional: ai.djl.")
                    .hasMessageContaining("$FLINK_HOME/lib/");
        }
    }

    @Test
    void theParentFirstPatternKeepsABundledDjlOut() throws Exception {
        try (URLClassLoader job = userCodeLoader(new URL[] {DJL_API_JAR}, new String[] {"ai.djl."})) {
            assertThatCode(() -> DjlClasspath.require(job)).doesNotThrowAnyException();
        }
    }

    @Test
    void missingDjlFailsWithoutRestarts() throws Exception {
        try (URLClassLoader noDjl = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> DjlClasspath.require(noDjl))
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause()
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> DjlClasspath.require(noDjl))
                    .cause()
                    .hasMessageContaining("DJL is not on this Flink cluster's classpath")
                    .hasMessageContaining("ai.djl.pytorch:pytorch-jni");
        }
    }

    /** A child-first user-code classloader as a TaskManager creates one per job (Flink's default resolve order). */
    private static URLClassLoader userCodeLoader(URL[] jars, String[] parentFirst) {
        return FlinkUserCodeClassLoaders.childFirst(jars, DjlClasspathTest.class.getClassLoader(), parentFirst,
                t -> { }, false);
    }
}
