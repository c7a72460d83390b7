package io.bulwark.serving.bench;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.InferenceModel;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory one served version costs, loaded as a full training learner ({@link Snapshots#fromAvro}) and inference-only
 * ({@link Snapshots#forInference}): the bytes of the native arrays each holds, and the growth of the process's
 * resident set (VmRSS) per version when {@code copies} versions are loaded side by side.
 */
public final class VersionMemory {

    /**
     * Per version: native array bytes and resident-set growth (bytes; -1 where /proc is not available) of the full
     * learner and of the inference-only model.
     */
    public record Result(int copies, long fullNativeBytes, long inferenceNativeBytes, long fullRssBytes,
                         long inferenceRssBytes, long payloadBytes, long teacherPayloadBytes) {}

    private VersionMemory() {}

    /** Loads {@code copies} inference-only models, then {@code copies} full learners, and measures each. */
    public static Result measure(ModelSnapshot snapshot, int copies) {
        long inferenceBytes;
        long inferenceRss;
        List<InferenceModel> models = new ArrayList<>();
        long before = rss();
        try {
            for (int i = 0; i < copies; i++) {
                models.add(Snapshots.forInference(snapshot, "cpu"));
                models.get(i).predict(List.of("warm up the engine once"));
            }
            inferenceRss = delta(before, rss(), copies);
            inferenceBytes = models.get(0).nativeBytes();
        } finally {
            models.forEach(InferenceModel::close);
        }
        long fullBytes;
        long fullRss;
        List<Learner> learners = new ArrayList<>();
        before = rss();
        try {
            for (int i = 0; i < copies; i++) {
                learners.add(Snapshots.fromAvro(snapshot, "cpu"));
                learners.get(i).predict(List.of("warm up the engine once"));
            }
            fullRss = delta(before, rss(), copies);
            fullBytes = learners.get(0).nativeBytes();
        } finally {
            learners.forEach(Learner::close);
        }
        long teacher = snapshot.getTeacherPayload() == null ? 0 : snapshot.getTeacherPayload().getBytes().remaining();
        return new Result(copies, fullBytes, inferenceBytes, fullRss, inferenceRss,
                snapshot.getPayload().getBytes().remaining(), teacher);
    }

    private static long delta(long before, long after, int copies) {
        return before < 0 || after < 0 ? -1 : (after - before) / copies;
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

    /** The result as a small table in MiB. */
    public static String table(Result r) {
        return String.format(Locale.ROOT, "%-22s %14s %16s%n%-22s %14.2f %16.2f%n%-22s %14.2f %16.2f%n"
                        + "(per version, %d versions loaded side by side; student payload %.2f MiB, teacher payload %.2f MiB)%n",
                "memory per version", "native arrays", "resident growth",
                "full learner", mib(r.fullNativeBytes()), mib(r.fullRssBytes()),
                "inference-only", mib(r.inferenceNativeBytes()), mib(r.inferenceRssBytes()),
                r.copies(), mib(r.payloadBytes()), mib(r.teacherPayloadBytes()));
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }
}
