package io.bulwark.model.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the native operators that a piece of work dispatches to libtorch, with libtorch's own profiler (through
 * DJL's {@code JniUtils.startProfile}): the proxy for GPU launch overhead on a machine without a GPU.
 *
 * <p>What is counted: every top-level operator event of the profile, i.e. each operator the Java side called
 * (an {@code aten::add} from {@code NDArray.add}, the fused {@code adamUpdate}, a {@code zero_}) and each node the
 * autograd engine ran during a backward pass; operators nested inside them ({@code aten::empty}, the
 * {@code aten::mm} inside {@code aten::matmul}) are not counted again. JNI calls that dispatch no operator (creating
 * an array from Java memory, fetching a gradient handle, switching grad mode) and device-to-host reads
 * ({@link HostReads}) are not in this count. The profiler slows the work down: count on a run that is not timed.
 * It records the calling thread; profile one learner at a time.
 */
public final class NativeOps {

    private static final Pattern EVENT = Pattern.compile(
            "\"ph\":\\s*\"X\",\\s*\"ts\":\\s*([0-9.eE+-]+),\\s*\"dur\":\\s*([0-9.eE+-]+),\\s*\"tid\":\\s*(\\d+)");

    private NativeOps() {}

    /** Runs {@code work} under the profiler and returns the number of top-level native operators it dispatched. */
    public static synchronized long count(Runnable work) {
        Engine.getEngine("PyTorch");
        Path trace;
        try {
            trace = Files.createTempFile("bulwark-ops-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the profiler's trace file", e);
        }
        try {
            JniUtils.startProfile(false, false, false);
            try {
                work.run();
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            return countTopLevel(Files.readString(trace));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the profiler's trace " + trace, e);
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans it up
            }
        }
    }

    /** The number of events of a Chrome-trace profile that no other event of the same thread encloses. */
    static long countTopLevel(String trace) {
        Map<Long, List<double[]>> byThread = new HashMap<>();
        Matcher m = EVENT.matcher(trace);
        while (m.find()) {
            byThread.computeIfAbsent(Long.parseLong(m.group(3)), t -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        long count = 0;
        for (List<double[]> events : byThread.values()) {
            // Parents first: by start, then longest first.
            events.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> -e[1]));
            double end = Double.NEGATIVE_INFINITY;
            for (double[] e : events) {
                if (e[0] >= end) {
                    count++;
                    end = e[0] + e[1];
                }
            }
        }
        return count;
    }
}
