package io.bulwark.study;

/** Where the raw numbers are. */
final class RawNumbersSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Raw numbers\n\nEvery run's numbers (including per-batch prequential accuracy, probe curves and"
                + " drift KL series) are in `results.json` in the study's output directory (`study/target/study/` by"
                + " default) and, when small, in `docs/study-results.json`.\n");
    }
}
