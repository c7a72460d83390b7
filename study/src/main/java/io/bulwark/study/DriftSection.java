package io.bulwark.study;

import static io.bulwark.study.ReportSection.points;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The drift scenario: dip, recovery, forgetting and KL per variant, and EMA's effect on forgetting. */
final class DriftSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Drift: 2002 mail, then 2003 mail and hard ham\n\n");
        List<DriftExperiment.Result> drift = results.drift();
        if (drift.isEmpty()) {
            md.append("The drift scenario was not run.\n\n");
            return;
        }
        Map<String, String> s = results.settings();
        md.append("Phase A: ").append(s.get("driftPhaseEvents")).append(" shuffled mails of easy_ham + spam (2002);"
                + " phase B: ").append(s.get("driftPhaseEvents")).append(" shuffled mails of easy_ham_2 + hard_ham +"
                        + " spam_2 (2003, and the ham that looks like spam); ").append(s.get("driftHeldOut"))
                .append(" held-out mails per phase; encoder ").append(s.get("driftEncoder")).append(". **Forgetting** ="
                        + " held-out phase-A accuracy at the shift minus at the end. **Dip** = pre-shift rolling"
                        + " prequential accuracy (last ").append(s.get("driftWindow")).append(" batches) minus the"
                        + " lowest rolling accuracy after the shift. **Recovery** = batches after the shift until the"
                        + " rolling accuracy (window ").append(s.get("driftWindow")).append(" batches of phase B) is back"
                        + " within ").append(points(Double.parseDouble(s.get("driftTolerance")))).append(" points of the"
                        + " pre-shift level (1 = it never left; – = never within the run). **Shift KL** = symmetric KL"
                        + " between the current model and the model frozen at the shift on held-out phase-A mail, at"
                        + " the end; **teacher KL** = mean symKL(student, EMA teacher) over phase B. **Learned A** = runs"
                        + " whose model predicted both classes on held-out phase-A mail at the shift; forgetting is"
                        + " only meaningful for those (a model that still predicts one class has nothing to forget).\n\n");
        md.append("| variant | learned A | pre-shift | dip | recovery (batches) | phase A at shift | phase A at end |"
                + " forgetting | phase B at shift | phase B at end | shift KL at end | teacher KL (phase B) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<DriftExperiment.Result>> by = new LinkedHashMap<>();
        for (DriftExperiment.Result r : drift) {
            by.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        for (List<DriftExperiment.Result> rs : by.values()) {
            Stats rec = Stats.of(rs, r -> r.recoveryBatches() < 0 ? Double.NaN : r.recoveryBatches());
            long never = rs.stream().filter(r -> r.recoveryBatches() < 0).count();
            long learned = rs.stream().filter(DriftExperiment::learnedAtShift).count();
            md.append(String.format(Locale.ROOT, "| %s | %d/%d | %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s |\n",
                    rs.get(0).display(), learned, rs.size(), Stats.of(rs, DriftExperiment.Result::preShiftLevel).percent(),
                    Stats.of(rs, DriftExperiment.Result::dip).percent(), rec.fixed(1),
                    never > 0 ? " (" + never + " never)" : "",
                    Stats.of(rs, DriftExperiment.Result::accAAtShift).percent(),
                    Stats.of(rs, DriftExperiment.Result::accAAtEnd).percent(),
                    Stats.of(rs, DriftExperiment.Result::forgetting).percent(),
                    Stats.of(rs, DriftExperiment.Result::accBAtShift).percent(),
                    Stats.of(rs, DriftExperiment.Result::accBAtEnd).percent(),
                    Stats.of(rs, r -> r.shiftKl().isEmpty() ? Double.NaN : r.shiftKl().get(r.shiftKl().size() - 1)[1])
                            .fixed(3),
                    Stats.of(rs, r -> meanFrom(r.teacherKl(), r.batchesA())).fixed(3)));
        }
        md.append('\n');
        for (List<DriftExperiment.Result> rs : by.values()) {
            if (rs.get(0).ema()) {
                continue;
            }
            List<DriftExperiment.Result> on = by.get(rs.get(0).variant() + "+ema");
            if (on == null) {
                continue;
            }
            List<DriftExperiment.Result> offLearned = rs.stream().filter(DriftExperiment::learnedAtShift).toList();
            List<DriftExperiment.Result> onLearned = on.stream().filter(DriftExperiment::learnedAtShift).toList();
            double d0 = Stats.of(rs, DriftExperiment.Result::dip).mean();
            double d1 = Stats.of(on, DriftExperiment.Result::dip).mean();
            if (offLearned.isEmpty() || onLearned.isEmpty()) {
                String line = String.format(Locale.ROOT, "%s: forgetting with and without EMA cannot be compared (runs"
                        + " that had learned phase A at the shift: %d/%d without EMA, %d/%d with); post-shift dip %.1f"
                        + " vs %.1f points", rs.get(0).display(), offLearned.size(), rs.size(), onLearned.size(),
                        on.size(), 100 * d0, 100 * d1);
                md.append("- ").append(line).append(".\n");
                findings.inconclusive().add("Bregman/EMA and forgetting under drift — " + line);
                continue;
            }
            double f0 = Stats.of(offLearned, DriftExperiment.Result::forgetting).mean();
            double f1 = Stats.of(onLearned, DriftExperiment.Result::forgetting).mean();
            String line = String.format(Locale.ROOT, "%s: EMA changes forgetting from %.1f to %.1f points (runs that"
                    + " had learned phase A: %d/%d and %d/%d) and the post-shift dip from %.1f to %.1f points",
                    rs.get(0).display(), 100 * f0, 100 * f1, offLearned.size(), rs.size(), onLearned.size(), on.size(),
                    100 * d0, 100 * d1);
            md.append("- ").append(line).append(".\n");
            double s0 = Stats.of(offLearned, DriftExperiment.Result::forgetting).std();
            double s1 = Stats.of(onLearned, DriftExperiment.Result::forgetting).std();
            double margin = Math.max(0.01, Math.hypot(Double.isNaN(s0) ? 0 : s0, Double.isNaN(s1) ? 0 : s1));
            String claim = "Bregman/EMA reduces forgetting under drift (by more than max(1 point, the combined seed"
                    + " std)) — " + line;
            if (f1 < f0 - margin) {
                findings.held().add(claim);
            } else if (f1 > f0 + margin) {
                findings.notHeld().add(claim);
            } else {
                findings.inconclusive().add(claim + " (within seed noise)");
            }
            findings.driftForgettingOff().add(f0);
            findings.driftForgettingOn().add(f1);
        }
        md.append('\n');
    }

    private static double meanFrom(List<Double> v, int from) {
        double s = 0;
        int n = 0;
        for (int i = from; i < v.size(); i++) {
            s += v.get(i);
            n++;
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
