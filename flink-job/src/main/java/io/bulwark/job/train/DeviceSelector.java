package io.bulwark.job.train;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Chooses the learner's device: an explicit {@code cpu}/{@code gpu}/{@code gpu:N}, or with {@code auto} the first
 * GPU the task manager's external resource lists (its {@code index} property, as Flink's GPU driver sets it), else
 * the CPU.
 */
public final class DeviceSelector {

    private DeviceSelector() {
    }

    /** Returns the DJL device name for the option value and the GPUs Flink assigned to this task. */
    public static String select(String option, Collection<ExternalResourceInfo> gpus) {
        if (!"auto".equals(option)) {
            return option;
        }
        if (gpus == null || gpus.isEmpty()) {
            return "cpu";
        }
        Optional<String> index = gpus.stream()
                .map(info -> info.getProperty("index"))
                .flatMap(Optional::stream)
                .filter(s -> s.matches("\\d+"))
                .min(Comparator.comparingInt(Integer::parseInt));
        return index.map(i -> "gpu:" + i).orElse("cpu");
    }
}
