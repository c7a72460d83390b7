package io.bulwark.cli.job;

import io.bulwark.job.JobOptions;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.testutil.TestData;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once recovery: a run that fails mid-stream (an exception in the training operator, or a task manager
 * that dies) ends with the same model, bit for bit, as an uninterrupted run, and trains every event exactly once.
 */
class RecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = JobRuns.miniCluster();

    private static final int EVENTS = 480;
    private static List<LabeledText> events;
    private static ModelSnapshot uninterrupted;
    private static long uninterruptedSnapshots;
    private static List<RunSummary.SnapshotHeader> reference;

    @BeforeAll
    static void runWithoutFailure() throws Exception {
        events = TestData.labeledTexts("m", "r", EVENTS, 21);
        Configuration conf = config("recovery-reference");
        RunSummary s = run(conf, null);
        uninterrupted = s.lastSnapshots().get("m");
        uninterruptedSnapshots = s.snapshots().size();
        reference = s.snapshots();
        assertThat(uninterrupted.getExamplesSeen()).isEqualTo(EVENTS);
    }

    private static Configuration config(String name) {
        Configuration conf = JobRuns.jobConfig(SharedStack.get(), name);
        conf.set(JobOptions.HELD_OUT_FRACTION, 0.0);
        conf.set(JobOptions.BATCH_SIZE, 4);
        conf.set(JobOptions.SNAPSHOT_EVERY_BATCHES, 10);
        conf.set(JobOptions.EVAL_ROBUST, false);
        // The EMA teacher is on, so recovery must restore it too (the snapshots carry its parameters).
        conf.setString("learner.bregman.weight", "1.0");
        return conf;
    }

    private static RunSummary run(Configuration conf, JobAction duringRun) throws Exception {
        EmbeddedStack stack = SharedStack.get();
        TopicLayout layout = JobRuns.createTopics(stack, conf, 1);
        JobRuns.produce(stack, layout.input(), events);
        JobClient job = JobRuns.start(conf);
        if (duringRun != null) {
            duringRun.accept(job);
        }
        job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
        return JobRuns.summary(stack, conf);
    }

    @Test
    void anExceptionInTheOperatorIsRecoveredExactly() throws Exception {
        Configuration conf = config("recovery-exception");
        conf.set(JobOptions.FAIL_AFTER_BATCHES, 40);
        RunSummary s = run(conf, null);
        assertRestarted(conf);
        assertSameAsUninterrupted(s);
    }

    @Test
    void aTaskManagerLossIsRecoveredExactly(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration conf = config("recovery-taskmanager");
        String name = conf.get(JobOptions.JOB_NAME);
        RunSummary s = run(conf, job -> {
            JobRuns.await("30 batches and a completed checkpoint", Duration.ofMinutes(2),
                    () -> InProcessMetrics.sum(name, BulwarkMetrics.BATCHES) >= 30
                            && InProcessMetrics.sum(name, "numberOfCompletedCheckpoints") >= 1);
            cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
            cluster.startTaskManager();
        });
        assertRestarted(conf);
        assertSameAsUninterrupted(s);
    }

    private static void assertRestarted(Configuration conf) {
        assertThat(InProcessMetrics.sum(conf.get(JobOptions.JOB_NAME), "numRestarts"))
                .as("job restarts").isGreaterThanOrEqualTo(1);
    }

    private static void assertSameAsUninterrupted(RunSummary s) {
        assertThat(s.snapshots()).extracting(h -> h.version() + ":" + h.examplesSeen() + ":" + h.metrics().get("loss"))
                .as("every version, its examples and mean loss").isEqualTo(reference.stream()
                        .map(h -> h.version() + ":" + h.examplesSeen() + ":" + h.metrics().get("loss"))
                        .collect(Collectors.toList()));
        ModelSnapshot last = s.lastSnapshots().get("m");
        assertThat(last.getExamplesSeen()).as("examples trained").isEqualTo(EVENTS);
        assertThat(last.getBatchesSeen()).isEqualTo(uninterrupted.getBatchesSeen());
        assertThat(last.getVersion()).isEqualTo(uninterrupted.getVersion());
        assertThat(last.getSourceOffsets().get(0).getOffset()).isEqualTo(EVENTS);
        assertThat(last.getPayload().getBytes()).as("student parameters")
                .isEqualTo(uninterrupted.getPayload().getBytes());
        assertThat(uninterrupted.getTeacherPayload()).as("teacher parameters published").isNotNull();
        assertThat(last.getTeacherPayload()).as("teacher parameters").isEqualTo(uninterrupted.getTeacherPayload());
        List<Long> versions = s.snapshots().stream().map(RunSummary.SnapshotHeader::version)
                .collect(Collectors.toList());
        assertThat(versions).as("versions visible to read_committed consumers").isSorted().doesNotHaveDuplicates()
                .hasSize((int) uninterruptedSnapshots);
        assertThat(s.reports()).extracting(r -> r.getModelId() + " v" + r.getVersion())
                .as("one report per version, in order").isEqualTo(s.snapshots().stream()
                        .map(h -> h.modelId() + " v" + h.version()).collect(Collectors.toList()));
        List<Long> examples = s.snapshots().stream().map(RunSummary.SnapshotHeader::examplesSeen)
                .collect(Collectors.toList());
        assertThat(examples).isSorted();
    }

    /** Something done to a running job. */
    interface JobAction {
        void accept(JobClient job) throws Exception;
    }
}
