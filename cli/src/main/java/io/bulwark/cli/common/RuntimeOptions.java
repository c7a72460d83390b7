package io.bulwark.cli.common;

import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** Where the learner runs: {@code --device} and {@code --threads}, shared by {@code train} and {@code bench}. */
public final class RuntimeOptions {
    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", defaultValue = "cpu",
            description = "Device; gpu falls back to cpu with a warning when no GPU natives are present"
                    + " (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: PyTorch's choice, all cores).")
    Integer threads;

    /** The validated device name. */
    public String device() {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (!DEVICE.matcher(d).matches()) {
            throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N, got '" + device + "'");
        }
        return d;
    }

    /** The requested intra-op thread count, or {@code null} for PyTorch's choice. */
    public Integer threads() {
        return threads;
    }

    /** Sets PyTorch's thread counts before the engine loads, when asked. */
    public void applyThreads() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
