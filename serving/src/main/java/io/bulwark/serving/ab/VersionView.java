package io.bulwark.serving.ab;

import java.util.NavigableSet;
import java.util.Optional;

/** What an experiment may see of one model: its loaded versions and their robustness reports. */
public interface VersionView {

    /** Versions loaded and ready to score, ascending. */
    NavigableSet<Long> loadedVersions();

    /** The robustness report of {@code version}, if one arrived. */
    Optional<ReportPoint> report(long version);

    /**
     * The paired comparison of {@code champion} and {@code candidate} on the model's canary set; empty when the model
     * has no canary set (then the gate falls back to the robustness reports).
     */
    default Optional<CanaryComparison> canary(long champion, long candidate) {
        return Optional.empty();
    }
}
