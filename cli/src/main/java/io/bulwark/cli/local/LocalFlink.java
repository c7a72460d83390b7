package io.bulwark.cli.local;

import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.job.metrics.InProcessMetrics;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the Bulwark job on a Flink MiniCluster in this JVM: the cluster configuration (slots, checkpoint and
 * savepoint directories, restart strategy, the in-process metric reporter) and asynchronous submission.
 */
public final class LocalFlink {

    private LocalFlink() {
    }

    /**
     * Returns a MiniCluster configuration.
     *
     * @param parallelism slots and default parallelism
     * @param stateDir directory under which checkpoints and savepoints are written
     */
    public static Configuration clusterConfig(int parallelism, Path stateDir) {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, stateDir.resolve("checkpoints").toUri().toString());
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, stateDir.resolve("savepoints").toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        InProcessMetrics.configure(conf);
        return conf;
    }

    /** Builds the job of {@code jobConf} on a new local MiniCluster and starts it; the cluster stops with the job. */
    public static JobClient start(Configuration clusterConf, Configuration jobConf) throws Exception {
        Configuration merged = new Configuration(clusterConf);
        merged.addAll(jobConf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(merged);
        BulwarkJob.build(env, jobConf);
        return env.executeAsync(jobConf.get(JobOptions.JOB_NAME));
    }
}
