package io.bulwark.study;

import java.util.Locale;

/**
 * One section of the study's markdown report. Sections render in the order {@link StudyReport} lists them; a section
 * reads the runs through {@link RunGroups} and passes what later sections need (claims, effects, sweep numbers)
 * through {@link ReportFindings}.
 */
interface ReportSection {

    /** Appends this section's markdown to {@code md}. */
    void render(StringBuilder md, RunGroups runs, ReportFindings findings);

    /** A fraction as whole percentage points ("0.05" as "5"). */
    static String points(double fraction) {
        return String.format(Locale.ROOT, "%.0f", 100 * fraction);
    }
}
