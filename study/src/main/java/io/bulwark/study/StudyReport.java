package io.bulwark.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the study's markdown report from its raw results: setup, the paper's numbers beside ours, tables at equal
 * data and at equal passes, the Bregman/EMA comparison, discrete attacks, drift, catastrophic overfitting, the sweep,
 * recommended defaults and a plain statement of what held and what did not. Every number comes from
 * {@link Study.Results}; figures over seeds are mean ± sample standard deviation. Each section is a
 * {@link ReportSection}; this class lists them in order and writes the file.
 */
public final class StudyReport {

    private final Study.Results results;
    private final Path markdown;
    private final String imageDir;
    private List<String> recommendations = List.of();

    /**
     * A report of {@code results} written to {@code markdown}; images are referenced as {@code imageDir/<name>.png}
     * relative to the markdown file.
     */
    public StudyReport(Study.Results results, Path markdown, String imageDir) {
        this.results = results;
        this.markdown = markdown;
        this.imageDir = imageDir;
    }

    /** The sections in the order they appear; later sections read what earlier ones put in the findings. */
    private List<ReportSection> sections(List<String> images) {
        return List.of(new HeaderSection(), new ShortAnswerSection(), new SetupSection(), new PaperSection(),
                new EqualDataSection(), new EqualPassesSection(), new EmaSection(), new DiscreteAttackSection(),
                new DriftSection(), new CollapseSection(), new SweepSection(), new DefaultsSection(),
                new VerdictSection(), new PlotsSection(images, imageDir), new RawNumbersSection());
    }

    /** Writes the markdown file and returns its text. */
    public String write(List<String> images) {
        RunGroups runs = new RunGroups(results);
        ReportFindings findings = new ReportFindings();
        StringBuilder md = new StringBuilder();
        for (ReportSection section : sections(images)) {
            section.render(md, runs, findings);
        }
        recommendations = findings.recommendations();
        try {
            Path parent = markdown.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(markdown, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write " + markdown + ": " + e.getMessage(), e);
        }
        return md.toString();
    }

    /** The recommendation lines of the last {@link #write}. */
    public List<String> recommendations() {
        return recommendations;
    }
}
