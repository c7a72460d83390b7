package io.bulwark.study;

import static io.bulwark.study.ReportSection.points;
import static io.bulwark.study.RunGroups.last;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Catastrophic overfitting: the runs whose probe robustness collapsed, and peak and final probe robustness. */
final class CollapseSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Catastrophic overfitting\n\n");
        Map<String, String> s = results.settings();
        md.append("Every ").append(s.get("probeEvery")).append(" batches, PGD-10 (1 restart) on a probe of ")
                .append(s.get("probeSize")).append(" held-out mails. A run **collapses** at the first probe where robust"
                        + " accuracy is more than ").append(points(Double.parseDouble(s.get("collapseDrop"))))
                .append(" points below its running maximum (once that maximum is at least ")
                .append(points(Double.parseDouble(s.get("collapseMinPeak")))).append("%) while clean accuracy is within ")
                .append(points(Double.parseDouble(s.get("collapseCleanTolerance"))))
                .append(" points of its value at the maximum. Only probes whose clean accuracy is at least ")
                .append(points(Double.parseDouble(s.getOrDefault("collapseMinClean", "0"))))
                .append("% can be that maximum: a model that barely separates the classes yet can look robust only"
                        + " because the attack has little to flip. **Recovered** = the first later probe whose robust"
                        + " accuracy is back within half the drop threshold of the peak; catastrophic overfitting in"
                        + " the sense of Wong et al. does not recover.\n\n");
        md.append("Probes where the attack changes no prediction (robust = clean; typically a model that predicts one"
                + " class) are not counted as peaks: a model that merely stops predicting one class is not"
                + " overfitting. On the **original** order the class prior flips from ham to spam within the stream,"
                + " so a drop there can be drift rather than catastrophic overfitting; the shuffled stream is the"
                + " clean test.\n\n");
        List<RunResult> collapsed = new ArrayList<>();
        for (RunResult r : results.runs()) {
            if (runs.collapseOf(r) != null) {
                collapsed.add(r);
            }
        }
        if (collapsed.isEmpty()) {
            md.append("**No run collapsed** under this criterion.\n\n");
        } else {
            md.append("| stream | encoder | variant | seed | collapsed at batch | peak robust (batch) | robust then |"
                    + " clean then | recovered at batch | final probe robust |\n"
                    + "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (RunResult r : collapsed) {
                CollapseDetector.Collapse c = runs.collapseOf(r);
                int recovered = runs.recoveryBatch(r, c);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.1f (%d) | %.1f | %.1f | %s | %.1f |\n",
                        r.scenario(), r.encoder(), r.display(), r.seed(), c.batch(), 100 * c.peakRobust(),
                        c.peakBatch(), 100 * c.robust(), 100 * c.clean(),
                        recovered < 0 ? "never" : Integer.toString(recovered), 100 * last(r).robust()));
            }
            md.append('\n');
        }
        md.append("Peak and final probe robustness per variant (mean over seeds):\n\n| stream | encoder | variant | peak"
                + " probe PGD-10 | final probe PGD-10 | final probe clean | collapsed runs |\n"
                + "|---|---|---|---:|---:|---:|---:|\n");
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                for (RunGroup g : runs.groups(scenario, enc)) {
                    if (g.first().probes().isEmpty()) {
                        continue;
                    }
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d/%d |\n", scenario, enc,
                            g.display(), g.stats(RunGroups::peakProbe).percent(),
                            g.stats(r -> last(r).robust()).percent(), g.stats(r -> last(r).clean()).percent(),
                            g.runs().stream().filter(r -> runs.collapseOf(r) != null).count(), g.runs().size()));
                }
            }
        }
        md.append('\n');
    }
}
