package io.bulwark.job.deploy;

import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Test stand-in for Flink's {@code org.apache.flink.externalresource.gpu.GPUDriverFactory} (which Maven Central
 * does not serve for Flink 2.2): the same contract. It reads {@code discovery-script.path} and
 * {@code discovery-script.args}, runs {@code <path> <amount> <args>} as Flink's driver builds the command (the
 * word {@code null} standing for unset args), fails on a non-zero exit, and turns the first output line's
 * comma-separated indexes into resource infos with the property {@code index}.
 */
public final class ScriptGpuDriverFactory implements ExternalResourceDriverFactory {

    static final ConfigOption<String> SCRIPT_PATH = ConfigOptions.key("discovery-script.path")
            .stringType().noDefaultValue();
    static final ConfigOption<String> SCRIPT_ARGS = ConfigOptions.key("discovery-script.args")
            .stringType().noDefaultValue();

    @Override
    public ExternalResourceDriver createExternalResourceDriver(Configuration config) throws IOException {
        String path = config.get(SCRIPT_PATH);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("GPU discovery script (discovery-script.path) is not configured");
        }
        File script = new File(path);
        if (!script.canExecute()) {
            throw new IOException("GPU discovery script " + script + " does not exist or is not executable");
        }
        return new Driver(script, config.get(SCRIPT_ARGS));
    }

    /** Runs the discovery script. */
    private static final class Driver implements ExternalResourceDriver {
        private final File script;
        private final String args;

        Driver(File script, String args) {
            this.script = script;
            this.args = args;
        }

        @Override
        public Set<? extends ExternalResourceInfo> retrieveResourceInfo(long amount) throws Exception {
            List<String> command = new ArrayList<>();
            for (String word : (script.getAbsolutePath() + " " + amount + " " + args).split("\\s+")) {
                if (!word.isEmpty()) {
                    command.add(word);
                }
            }
            Process p = new ProcessBuilder(command).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("GPU discovery script ran over 10 s: " + command);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("GPU discovery script exited with " + p.exitValue() + ": " + err);
            }
            Set<GpuIndex> gpus = new LinkedHashSet<>();
            String firstLine = out.lines().findFirst().orElse("");
            for (String index : firstLine.split(",")) {
                if (!index.isBlank()) {
                    gpus.add(new GpuIndex(index.trim()));
                }
            }
            return gpus;
        }
    }

    /** One GPU, identified by its {@code index} property as Flink's GPUInfo is. */
    static final class GpuIndex implements ExternalResourceInfo {
        private final String index;

        GpuIndex(String index) {
            this.index = index;
        }

        @Override
        public Optional<String> getProperty(String key) {
            return "index".equals(key) ? Optional.of(index) : Optional.empty();
        }

        @Override
        public Collection<String> getKeys() {
            return List.of("index");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GpuIndex && ((GpuIndex) o).index.equals(index);
        }

        @Override
        public int hashCode() {
            return index.hashCode();
        }

        @Override
        public String toString() {
            return "GPU(index=" + index + ")";
        }
    }
}
