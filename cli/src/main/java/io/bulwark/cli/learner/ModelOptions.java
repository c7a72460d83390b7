package io.bulwark.cli.learner;

import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.LearnerConfig.NormType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Network, perturbation, regulariser, optimizer and device options shared by {@code train} and {@code bench}. */
final class ModelOptions {
    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    @Option(names = "--encoder", paramLabel = "pooled|transformer",
            description = "Network over the embeddings (default: ${DEFAULT-VALUE}).")
    EncoderType encoder;

    @Option(names = "--epsilon", paramLabel = "EPS",
            description = "Radius of the perturbation ball in embedding space (default: ${DEFAULT-VALUE}).")
    double epsilon;

    @Option(names = "--alpha", paramLabel = "STEP",
            description = "Ascent step size of delta (default: eps for FreeAT, 2.5*eps/K for PGD and FreeLB).")
    Double alpha;

    @Option(names = "--epsilon-ramp", paramLabel = "N",
            description = "Grow epsilon and alpha linearly from 0 over the first N training examples; 0 = off"
                    + " (default: ${DEFAULT-VALUE}).")
    long epsilonRamp;

    @Option(names = "--norm", paramLabel = "linf|l2", description = "Norm of the perturbation ball (default: ${DEFAULT-VALUE}).")
    NormType norm;

    @Option(names = "--bregman", paramLabel = "MU",
            description = "Weight mu of the Bregman proximal term against the EMA teacher; 0 = off (default: ${DEFAULT-VALUE}).")
    double bregman;

    @Option(names = "--ema-momentum", paramLabel = "BETA",
            description = "EMA teacher momentum beta: teacher <- (1-beta)*theta + beta*teacher (default: ${DEFAULT-VALUE}).")
    double emaMomentum;

    @Option(names = "--smart", paramLabel = "LAMBDA",
            description = "Weight of the SMART smoothness term; 0 = off (default: ${DEFAULT-VALUE}).")
    double smart;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per mini-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", defaultValue = "cpu",
            description = "Device; gpu falls back to cpu with a warning when no GPU natives are present"
                    + " (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: PyTorch's choice, all cores).")
    Integer threads;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any other learner setting by its configuration key, e.g. --set encoder.maxLength=128 (repeatable; keys as in the report's config).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Reads the option defaults from {@code LearnerConfig.builder().build()} so help and behaviour never drift. */
    static final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
        private static final LearnerConfig DEFAULTS = LearnerConfig.builder().build();

        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            LearnerConfig d = DEFAULTS;
            switch (option.longestName()) {
                case "--encoder":
                    return lower(d.encoderType());
                case "--epsilon":
                    return String.valueOf(d.epsilon());
                case "--norm":
                    return lower(d.norm());
                case "--epsilon-ramp":
                    return String.valueOf(d.epsilonRamp());
                case "--bregman":
                    return String.valueOf(d.bregmanWeight());
                case "--ema-momentum":
                    return String.valueOf(d.emaMomentum());
                case "--smart":
                    return String.valueOf(d.smartWeight());
                case "--batch-size":
                    return String.valueOf(d.batchSize());
                case "--lr":
                    return String.valueOf(d.learningRate());
                case "--seed":
                    return String.valueOf(d.seed());
                case "--strategy":
                    return lower(d.strategy());
                case "--replays":
                case "--steps":
                    return String.valueOf(d.steps());
                default:
                    return null;
            }
        }

        private static String lower(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates the device name. */
    String device() {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (!DEVICE.matcher(d).matches()) {
            throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N, got '" + device + "'");
        }
        return d;
    }

    /** Applies these options to a builder (strategy and steps are left to the caller). */
    LearnerConfig.Builder apply(LearnerConfig.Builder b) {
        b.optEncoderType(encoder)
                .optEpsilon(epsilon)
                .optEpsilonRamp(epsilonRamp)
                .optNorm(norm)
                .optBregmanWeight(bregman)
                .optEmaMomentum(emaMomentum)
                .optSmartWeight(smart)
                .optBatchSize(batchSize)
                .optLearningRate(learningRate)
                .optSeed(seed);
        if (alpha != null) {
            b.optAlpha(alpha);
        }
        return b;
    }

    /** Builds the configuration, then applies the {@code --set} overrides through {@link LearnerConfig#toMap()}. */
    LearnerConfig build(LearnerConfig.Builder b) {
        LearnerConfig config = b.build();
        if (overrides.isEmpty()) {
            return config;
        }
        Map<String, String> map = new LinkedHashMap<>(config.toMap());
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!map.containsKey(e.getKey())) {
                throw new IllegalArgumentException("Unknown setting '" + e.getKey() + "' in --set; known keys: "
                        + map.keySet());
            }
            map.put(e.getKey(), e.getValue());
        }
        return LearnerConfig.fromMap(map);
    }

    /** Sets PyTorch's thread counts before the engine loads, when asked. */
    void applyThreads() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
