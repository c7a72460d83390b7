package io.bulwark.serving.bench;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.InferenceModel;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.snapshot.SnapshotFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory one served version costs, loaded as a full training learner ({@link Snapshots#fromAvro}) and inference-only
 * ({@link Snapshots#forInference}): the bytes of the native arrays each holds, and the growth of the resident set
 * (VmRSS) per version when {@code copies} versions are loaded side by side. Each way is measured in a fresh JVM on
 * the same classpath, after one version has warmed the engine up, so freed memory of one measurement cannot hide
 * the other's.
 */
public final class VersionMemory {

    /**
     * Per version: native array bytes and resident-set growth (bytes; -1 where /proc is not available) of the full
     * learner and of the inference-only model, and the sizes of the student and teacher payloads.
     */
    public record Result(String config, int copies, long fullNativeBytes, long inferenceNativeBytes,
                         long fullRssBytes, long inferenceRssBytes, long payloadBytes, long teacherPayloadBytes) {}

    private VersionMemory() {}

    /** Measures {@code snapshot} both ways, {@code copies} versions each; {@code config} names it in the result. */
    public static Result measure(String config, ModelSnapshot snapshot, int copies) throws Exception {
        Path file = Files.createTempFile("bulwark-memory", ".avro");
        try {
            SnapshotFiles.write(file, snapshot);
            long[] full = child("full", file, copies);
            long[] inference = child("inference", file, copies);
            long teacher = snapshot.getTeacherPayload() == null ? 0
                    : snapshot.getTeacherPayload().getBytes().remaining();
            return new Result(config, copies, full[0], inference[0], full[1], inference[1],
                    snapshot.getPayload().getBytes().remaining(), teacher);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs {@link #main} in a new JVM; returns [native bytes per version, resident growth per version]. */
    private static long[] child(String mode, Path file, int copies) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), VersionMemory.class.getName(), mode, file.toString(),
                Integer.toString(copies)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || !out.matches("-?\\d+ -?\\d+")) {
            throw new IllegalStateException("memory measurement (" + mode + ") failed: " + out);
        }
        String[] parts = out.split(" ");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    /**
     * Child process: {@code full|inference SNAPSHOT_FILE COPIES}; loads one version to warm up, then COPIES more, and
     * prints the native bytes of one version and the resident-set growth per version.
     */
    public static void main(String[] args) throws Exception {
        boolean full = args[0].equals("full");
        ModelSnapshot snapshot = SnapshotFiles.read(Path.of(args[1]));
        int copies = Integer.parseInt(args[2]);
        List<AutoCloseable> loaded = new ArrayList<>();
        long bytes = 0;
        long before = 0;
        for (int i = 0; i <= copies; i++) {
            if (i == 1) {
                System.gc();
                before = rss();
            }
            if (full) {
                Learner l = Snapshots.fromAvro(snapshot, "cpu");
                l.predict(List.of("warm up the engine"));
                bytes = l.nativeBytes();
                loaded.add(l);
            } else {
                InferenceModel m = Snapshots.forInference(snapshot, "cpu");
                m.predict(List.of("warm up the engine"));
                bytes = m.nativeBytes();
                loaded.add(m);
            }
        }
        System.gc();
        long after = rss();
        System.out.println(bytes + " " + (before < 0 || after < 0 ? -1 : (after - before) / copies));
        for (AutoCloseable c : loaded) {
            c.close();
        }
    }

    /** The resident set of this process in bytes, from /proc/self/status; -1 where that is not available. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** The results as a small table in MiB. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-34s %-15s %13s %15s %13s%n",
                "memory per version (MiB)", "loaded as", "native arrays", "resident growth", "payload"));
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "%-34s %-15s %13.2f %15.2f %13.2f%n", r.config(), "full learner",
                    mib(r.fullNativeBytes()), mib(r.fullRssBytes()), mib(r.payloadBytes() + r.teacherPayloadBytes())));
            sb.append(String.format(Locale.ROOT, "%-34s %-15s %13.2f %15.2f %13.2f%n", "", "inference-only",
                    mib(r.inferenceNativeBytes()), mib(r.inferenceRssBytes()), mib(r.payloadBytes())));
        }
        sb.append(String.format(Locale.ROOT, "(resident growth per version with %d versions loaded side by side in a"
                + " fresh JVM after one warm-up version)%n", results.isEmpty() ? 0 : results.get(0).copies()));
        return sb.toString();
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }
}
