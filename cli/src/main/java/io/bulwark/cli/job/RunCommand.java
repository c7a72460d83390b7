package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.cli.local.LocalFlink;
import io.bulwark.cli.local.RunReport;
import io.bulwark.cli.local.StateDirectory;
import io.bulwark.cli.local.StopSignals;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.JobOptions;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.kafka.KafkaClientConfig;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the streaming job, unbounded, on a local MiniCluster against an existing Kafka and schema registry: what a
 * single machine needs without a Flink cluster. Checkpoints are retained in the state directory and a new run
 * resumes from the newest complete one; SIGTERM or Ctrl-C stops the job with a savepoint there.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the Bulwark job, unbounded, on a Flink MiniCluster in this process, reading the input topic of an "
                    + "existing Kafka cluster (e.g. ./bulwark stack).",
            "Checkpoints are kept in --state-dir (retained on cancellation); on start the job resumes from the "
                    + "newest complete checkpoint or savepoint there, so a run killed with kill -9 and started again "
                    + "goes on exactly where its last checkpoint was. SIGTERM or Ctrl-C stops it with a savepoint "
                    + "into --state-dir; --until-idle stops it the same way once no event arrived for a while.",
            "On a stop with a savepoint it prints the report (and writes it with --report): events trained, held "
                    + "out, dead letters, snapshots published, last version, and what it restored from."})
public final class RunCommand implements Callable<Integer> {

    /** Job name of {@code run}, unless {@code -Djob.name=...} says otherwise. */
    public static final String DEFAULT_JOB_NAME = "bulwark-run";

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--state-dir", required = true, paramLabel = "DIR",
            description = "Checkpoints (DIR/checkpoints) and savepoints (DIR/savepoints) of the job.")
    Path stateDir;

    @Option(names = "--until-idle", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop with a savepoint once nothing was read, trained, held out or dead-lettered for SECONDS "
                    + "(default 0: run until SIGTERM).")
    double untilIdle;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the report as JSON to FILE.")
    Path report;

    @Option(names = "--parallelism", defaultValue = "1", description = "Flink parallelism (default 1).")
    int parallelism;

    @Option(names = "--snapshot-every", defaultValue = "20", paramLabel = "BATCHES",
            description = "Publish a snapshot and a report every this many batches of a model (default 20).")
    int snapshotEvery;

    @Option(names = "--batch-timeout", defaultValue = "2s",
            description = "Train a partial batch once its first event waited this long (default 2s; 0 = only full "
                    + "batches: the job then depends only on the order of events, not on their timing).")
    String batchTimeout;

    @Option(names = "--checkpoint-interval", defaultValue = "5s",
            description = "Flink checkpoint interval (default 5s): snapshots become visible on checkpoints, and a "
                    + "kill loses at most this much work, which is redone after the restart.")
    String checkpointInterval;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Mixin
    LearnerOptions learner = new LearnerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StateDirectory state = StateDirectory.of(stateDir);
        Configuration jobConf = jobConfiguration();
        String jobName = jobConf.get(JobOptions.JOB_NAME);

        Configuration clusterConf = LocalFlink.clusterConfig(parallelism, state.root());
        clusterConf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        clusterConf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        Optional<StateDirectory.Restorable> restore = state.newest();
        String restoredFrom = restore.map(r -> r.path().toString()).orElse(null);
        if (restore.isPresent()) {
            clusterConf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoredFrom);
            // The run owns its state directory: the restored checkpoint is deleted once newer ones subsume it.
            clusterConf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
            err.printf("Resuming from %s %s%n", restore.get().savepoint() ? "savepoint" : "checkpoint", restoredFrom);
        } else {
            err.printf("No checkpoint in %s: starting from the %s offsets of %s%n", state.root(),
                    jobConf.get(JobOptions.STARTING_OFFSETS).name().toLowerCase(Locale.ROOT),
                    jobConf.get(JobOptions.INPUT_TOPIC));
        }

        InProcessMetrics.forget(jobName);
        StopSignals signals = StopSignals.install();
        try {
            JobClient job = LocalFlink.start(clusterConf, jobConf);
            err.printf("Job %s (%s) running: %s -> %s; Kafka %s, registry %s%n", jobName, job.getJobID(),
                    jobConf.get(JobOptions.INPUT_TOPIC), jobConf.get(JobOptions.SNAPSHOTS_TOPIC),
                    jobConf.get(JobOptions.BOOTSTRAP_SERVERS), jobConf.get(JobOptions.REGISTRY_URL));
            String stoppedBy = supervise(job, jobName, signals, err);
            if (stoppedBy == null) {
                job.getJobExecutionResult().get();
                err.println("The job finished by itself.");
                return 0;
            }
            String savepoint = stop(job, state, err);
            Map<String, Object> json = RunReport.collect(jobName, clientProperties(), connection.registry(),
                    TopicLayout.of(jobConf, 1, Duration.ofDays(7)), restoredFrom, savepoint, stoppedBy,
                    Duration.ofMinutes(2));
            String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
            out.println(text);
            out.flush();
            if (report != null) {
                Path parent = report.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(report, text + System.lineSeparator());
                err.printf("Report written to %s%n", report);
            }
            return 0;
        } finally {
            signals.restore();
        }
    }

    /**
     * Waits until a signal arrives (returns its name), the job made no progress for {@code --until-idle} seconds
     * (returns "idle") or the job ends by itself (returns null; a failed job throws).
     */
    private String supervise(JobClient job, String jobName, StopSignals signals, PrintWriter err) throws Exception {
        CompletableFuture<?> result = job.getJobExecutionResult();
        long idleNanos = (long) (untilIdle * 1e9);
        long start = System.nanoTime();
        long lastChange = start;
        long lastIn = -1;
        long lastProgress = start;
        while (!result.isDone()) {
            if (signals.await(200)) {
                return signals.signal();
            }
            long now = System.nanoTime();
            // Progress is any event read, batch trained, event held out or dead-lettered: events read before the
            // last one may still be queued in front of the training operator.
            long in = InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_IN)
                    + InProcessMetrics.sum(jobName, BulwarkMetrics.BATCHES)
                    + InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_HELD_OUT)
                    + InProcessMetrics.sum(jobName, BulwarkMetrics.DEAD_LETTERS);
            // The idle clock starts with the first completed checkpoint: every task is running by then.
            boolean checkpointed = InProcessMetrics.sum(jobName, "numberOfCompletedCheckpoints") > 0;
            if (!checkpointed) {
                lastChange = now;
            } else if (in != lastIn) {
                lastIn = in;
                lastChange = now;
            }
            if (!quiet && now - lastProgress >= TimeUnit.SECONDS.toNanos(5)) {
                lastProgress = now;
                err.println(progressLine(jobName, (now - start) / 1e9));
                err.flush();
            }
            if (idleNanos > 0 && now - lastChange >= idleNanos && running(job)
                    && InProcessMetrics.sum(jobName, BulwarkMetrics.EVALUATIONS_IN_FLIGHT) == 0) {
                err.printf(Locale.ROOT, "No progress for %.1f s: stopping%n", (now - lastChange) / 1e9);
                return "idle";
            }
        }
        return null;
    }

    private static boolean running(JobClient job) throws Exception {
        return job.getJobStatus().get(10, TimeUnit.SECONDS) == JobStatus.RUNNING;
    }

    /**
     * Stops the job with a savepoint into the state directory and returns its path. While the job is restarting
     * a savepoint cannot be taken: it is tried again for a minute, then the job is cancelled, its latest retained
     * checkpoint staying the point a new run resumes from (null is returned).
     */
    private String stop(JobClient job, StateDirectory state, PrintWriter err) throws Exception {
        err.printf("Stopping with a savepoint into %s ...%n", state.savepoints());
        err.flush();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        Exception last = null;
        while (System.nanoTime() < deadline && !job.getJobExecutionResult().isDone()) {
            try {
                String path = job.stopWithSavepoint(false, state.savepoints().toUri().toString(),
                        SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
                job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
                err.printf("Savepoint %s%n", path);
                return path;
            } catch (Exception e) {
                last = e;
                Thread.sleep(1000);
            }
        }
        err.printf("No savepoint (%s): cancelling; the next run resumes from the latest retained checkpoint%n",
                last == null ? "the job had ended" : last.getMessage());
        if (!job.getJobExecutionResult().isDone()) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        return null;
    }

    private String progressLine(String jobName, double seconds) {
        return String.format(Locale.ROOT, "[%6.1fs] read %d | trained %d | held out %d | dead letters %d | "
                        + "snapshots %d | checkpoints %d (this run)", seconds,
                InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_IN),
                InProcessMetrics.sum(jobName, BulwarkMetrics.EXAMPLES_TRAINED),
                InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_HELD_OUT),
                InProcessMetrics.sum(jobName, BulwarkMetrics.DEAD_LETTERS),
                InProcessMetrics.sum(jobName, BulwarkMetrics.SNAPSHOTS),
                InProcessMetrics.sum(jobName, "numberOfCompletedCheckpoints"));
    }

    private java.util.Properties clientProperties() {
        java.util.Properties p = connection.kafkaClient().consumerProperties();
        p.putIfAbsent(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers);
        return p;
    }

    /** The job's options: the connection, the run's defaults, then the learner flags and {@code -D} options. */
    Configuration jobConfiguration() {
        KafkaClientConfig kafka = connection.kafkaClient();
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        connection.registry();
        c.set(JobOptions.REGISTRY_URL, connection.registryUrl);
        if (connection.registryUserInfo != null) {
            c.set(JobOptions.REGISTRY_USER_INFO, connection.registryUserInfo);
        }
        c.set(JobOptions.REGISTRY_SUBJECT_STRATEGY, connection.subjectStrategy);
        kafka.asMap().forEach((k, v) -> {
            if (!k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                c.setString(JobOptions.KAFKA_PREFIX + k, String.valueOf(v));
            }
        });
        c.set(JobOptions.JOB_NAME, DEFAULT_JOB_NAME);
        c.set(JobOptions.BOUNDED, false);
        c.set(JobOptions.STARTING_OFFSETS, JobOptions.StartingOffsets.EARLIEST);
        c.set(JobOptions.SNAPSHOT_EVERY_BATCHES, snapshotEvery);
        c.set(JobOptions.SNAPSHOT_INTERVAL, Duration.ZERO);
        c.setString(JobOptions.BATCH_TIMEOUT.key(), batchTimeout);
        c.setString(JobOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval);
        learner.applyTo(spec, c);
        return c;
    }
}
