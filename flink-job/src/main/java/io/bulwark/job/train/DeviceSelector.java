package io.bulwark.job.train;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses the learner's device: an explicit {@code cpu}/{@code gpu}/{@code gpu:N}, or with {@code auto} one of the
 * GPUs the task manager's external resource lists (their {@code index} properties, as Flink's GPU driver sets them),
 * else the CPU.
 *
 * <p>With {@code auto}, the training subtasks of one task manager spread over its GPUs: each {@link #acquire} takes
 * the GPU that the fewest open leases of this JVM hold (the lowest index on a tie), and {@link Lease#close()} gives
 * it back. Two slots of a task manager with two GPUs therefore train on different GPUs whatever their global subtask
 * indices, and a restarted subtask takes the GPU its predecessor released. The count is per class loader: Flink
 * gives every job one user-code class loader per task manager, so it spans the subtasks of one job.
 */
public final class DeviceSelector {

    /** Open leases per GPU index, in this JVM. */
    private static final Map<Integer, Integer> LEASES = new HashMap<>();

    private DeviceSelector() {
    }

    /** A device held by one training subtask until it closes. */
    public static final class Lease implements AutoCloseable {

        private final String device;
        private final Integer gpu;
        private boolean closed;

        private Lease(String device, Integer gpu) {
            this.device = device;
            this.gpu = gpu;
        }

        /** The DJL device name. */
        public String device() {
            return device;
        }

        /** Releases the GPU (once; later calls do nothing). */
        @Override
        public void close() {
            if (gpu == null) {
                return;
            }
            synchronized (LEASES) {
                if (!closed) {
                    closed = true;
                    LEASES.computeIfPresent(gpu, (k, n) -> n <= 1 ? null : n - 1);
                }
            }
        }
    }

    /**
     * The device for the option value and the GPUs Flink assigned to this task manager, held until the lease is
     * closed: with {@code auto} the assigned GPU with the fewest open leases.
     */
    public static Lease acquire(String option, Collection<ExternalResourceInfo> gpus) {
        if (!"auto".equals(option)) {
            return new Lease(option, null);
        }
        List<Integer> indices = indices(gpus);
        if (indices.isEmpty()) {
            return new Lease("cpu", null);
        }
        synchronized (LEASES) {
            int best = indices.get(0);
            for (int i : indices) {
                if (LEASES.getOrDefault(i, 0) < LEASES.getOrDefault(best, 0)) {
                    best = i;
                }
            }
            LEASES.merge(best, 1, Integer::sum);
            return new Lease("gpu:" + best, best);
        }
    }

    /** The device for the option value and the GPUs Flink assigned to this task, without holding it. */
    public static String select(String option, Collection<ExternalResourceInfo> gpus) {
        if (!"auto".equals(option)) {
            return option;
        }
        List<Integer> indices = indices(gpus);
        return indices.isEmpty() ? "cpu" : "gpu:" + indices.get(0);
    }

    /** The GPUs' {@code index} properties, distinct, in ascending order. */
    private static List<Integer> indices(Collection<ExternalResourceInfo> gpus) {
        if (gpus == null) {
            return List.of();
        }
        return gpus.stream()
                .map(info -> info.getProperty("index"))
                .flatMap(Optional::stream)
                .filter(s -> s.matches("\\d+"))
                .map(Integer::parseInt)
                .sorted()
                .distinct()
                .collect(Collectors.toList());
    }
}
