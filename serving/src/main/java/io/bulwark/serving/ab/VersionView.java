package io.bulwark.serving.ab;

import java.util.NavigableSet;
import java.util.Optional;

/** What an experiment may see of one model: its loaded versions and their robustness reports. */
public interface VersionView {

    /** Versions loaded and ready to score, ascending. */
    NavigableSet<Long> loadedVersions();

    /** The robustness report of {@code version}, if one arrived. */
    Optional<ReportPoint> report(long version);
}
