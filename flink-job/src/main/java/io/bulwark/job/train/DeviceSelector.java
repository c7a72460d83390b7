package io.bulwark.job.train;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses the learner's device: an explicit {@code cpu}/{@code gpu}/{@code gpu:N}, or with {@code auto} one of the
 * GPUs the task manager's external resource lists (their {@code index} properties, as Flink's GPU driver sets them),
 * spread over the task manager's subtasks by subtask index, else the CPU.
 */
public final class DeviceSelector {

    private DeviceSelector() {
    }

    /** Returns the DJL device name for the option value and the GPUs Flink assigned to this task (subtask 0). */
    public static String select(String option, Collection<ExternalResourceInfo> gpus) {
        return select(option, gpus, 0);
    }

    /**
     * Returns the DJL device name for the option value and the GPUs Flink assigned to this task manager: with
     * {@code auto}, subtask {@code i} takes the {@code i mod n}-th of the n GPUs in index order, so the slots of a
     * multi-GPU task manager use all of its GPUs.
     */
    public static String select(String option, Collection<ExternalResourceInfo> gpus, int subtaskIndex) {
        if (!"auto".equals(option)) {
            return option;
        }
        if (gpus == null || gpus.isEmpty()) {
            return "cpu";
        }
        List<Integer> indices = gpus.stream()
                .map(info -> info.getProperty("index"))
                .flatMap(Optional::stream)
                .filter(s -> s.matches("\\d+"))
                .map(Integer::parseInt)
                .sorted()
                .distinct()
                .collect(Collectors.toList());
        if (indices.isEmpty()) {
            return "cpu";
        }
        return "gpu:" + indices.get(Math.floorMod(subtaskIndex, indices.size()));
    }
}
