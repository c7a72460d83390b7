package io.bulwark.cli.job;

import io.bulwark.cli.common.LearnerFlags;
import io.bulwark.job.JobOptions;
import io.bulwark.model.LearnerParams;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What {@code demo} and {@code pipeline-bench} pass to the job besides its own options: the learner flags (see
 * {@link LearnerFlags}) as {@code learner.*} keys, the training device, and any job option by key.
 */
public final class LearnerOptions {

    @Option(names = "--device", paramLabel = "auto|cpu|gpu|gpu:N", description = "Training device (default auto).")
    String device;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Any job option, e.g. -Dheldout.fraction=0.1 or -Dlearner.bregman.emaMomentum=0.995.")
    Map<String, String> options = new LinkedHashMap<>();

    /**
     * Writes the options of {@code command} into a job configuration. The learner's batch size is the job's
     * {@code batch.size}.
     */
    public void applyTo(CommandSpec command, Configuration conf) {
        for (Map.Entry<String, String> e : LearnerFlags.given(command).entrySet()) {
            if (e.getKey().equals(LearnerParams.BATCH_SIZE.key())) {
                conf.set(JobOptions.BATCH_SIZE, LearnerParams.BATCH_SIZE.parse(e.getValue()));
            } else {
                conf.setString(JobOptions.LEARNER_PREFIX + e.getKey(), e.getValue());
            }
        }
        if (device != null) {
            conf.set(JobOptions.DEVICE, device);
        }
        options.forEach(conf::setString);
    }
}
