package io.bulwark.cli.job;

import io.bulwark.job.JobOptions;

import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** Learner and training options shared by {@code demo} and {@code bench}; each becomes a {@code learner.*} key. */
public final class LearnerOptions {

    @Option(names = "--strategy", paramLabel = "NATURAL|PGD|FREEAT|FREELB",
            description = "Training strategy (learner.strategy.type; default FREEAT).")
    String strategy;

    @Option(names = "--steps", description = "Replays m (FreeAT) or ascent steps K (PGD, FreeLB).")
    Integer steps;

    @Option(names = "--epsilon", description = "Perturbation radius in embedding space.")
    Double epsilon;

    @Option(names = "--norm", paramLabel = "LINF|L2", description = "Perturbation ball norm.")
    String norm;

    @Option(names = "--encoder", paramLabel = "POOLED|TRANSFORMER", description = "Encoder network.")
    String encoder;

    @Option(names = "--buckets", description = "Hash buckets of the embedding table.")
    Integer buckets;

    @Option(names = "--max-length", description = "Max tokens per text.")
    Integer maxLength;

    @Option(names = "--embedding-dim", description = "Embedding width.")
    Integer embeddingDim;

    @Option(names = "--hidden-dim", description = "Hidden width.")
    Integer hiddenDim;

    @Option(names = "--learning-rate", description = "Optimizer learning rate.")
    Double learningRate;

    @Option(names = "--bregman-weight", description = "Weight mu of the Bregman proximal term (0 = off).")
    Double bregmanWeight;

    @Option(names = "--smart-weight", description = "Weight of the SMART smoothness term (0 = off).")
    Double smartWeight;

    @Option(names = "--seed", description = "Learner seed.")
    Long seed;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu|gpu:N", description = "Training device (default auto).")
    String device;

    @Option(names = "--batch-size", description = "Events per mini-batch (default ${DEFAULT-VALUE}).",
            defaultValue = "32")
    int batchSize;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Any job option, e.g. -Dheldout.fraction=0.1 or -Dlearner.bregman.emaMomentum=0.995.")
    Map<String, String> options = new LinkedHashMap<>();

    /** Writes these options into a job configuration. */
    public void applyTo(Configuration conf) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "strategy.type", strategy);
        put(m, "strategy.steps", steps);
        put(m, "strategy.epsilon", epsilon);
        put(m, "strategy.norm", norm);
        put(m, "encoder.type", encoder);
        put(m, "encoder.buckets", buckets);
        put(m, "encoder.maxLength", maxLength);
        put(m, "encoder.embeddingDim", embeddingDim);
        put(m, "encoder.hiddenDim", hiddenDim);
        put(m, "optimizer.learningRate", learningRate);
        put(m, "bregman.weight", bregmanWeight);
        put(m, "smart.weight", smartWeight);
        put(m, "seed", seed);
        put(m, "train.batchSize", batchSize);
        m.forEach((k, v) -> conf.setString(JobOptions.LEARNER_PREFIX + k, v));
        conf.set(JobOptions.BATCH_SIZE, batchSize);
        if (device != null) {
            conf.set(JobOptions.DEVICE, device);
        }
        options.forEach(conf::setString);
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }
}
