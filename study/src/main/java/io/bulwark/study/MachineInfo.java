package io.bulwark.study;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Versions (Java, DJL, PyTorch) and the machine (cores, memory, OS, load) the study ran on. */
public final class MachineInfo {

    private MachineInfo() {}

    /** Collects the information as an ordered map for the report and the JSON. */
    public static Map<String, String> collect() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("djl", Engine.getDjlVersion());
        try {
            Engine e = Engine.getEngine("PyTorch");
            m.put("pytorch", e.getVersion());
            m.put("device", "cpu (" + e.getGpuCount() + " GPU reported)");
        } catch (RuntimeException e) {
            m.put("pytorch", "unavailable: " + e.getMessage());
        }
        m.put("pytorch threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("memory", memory());
        m.put("cpu", cpuModel());
        m.put("load average at start", loadAverage());
        m.put("bulwark-model", modelJar());
        m.put("jvm max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        return m;
    }

    /** The 1-minute load average, or "unknown". */
    public static String loadAverage() {
        try {
            String s = Files.readString(Path.of("/proc/loadavg")).trim();
            String[] f = s.split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Where the learner's classes were loaded from and when that file was last modified. */
    private static String modelJar() {
        try {
            java.net.URL url = io.bulwark.model.learner.Learner.class.getProtectionDomain().getCodeSource().getLocation();
            Path p = Path.of(url.toURI());
            return p.getFileName() + " (modified " + Files.getLastModifiedTime(p) + ")";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }
}
