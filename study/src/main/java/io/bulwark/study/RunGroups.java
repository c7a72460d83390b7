package io.bulwark.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The study's runs grouped by stream (scenario), encoder and variant, with the per-run readings that the report and
 * the charts share: whether a group predicts one class, a run's discrete-attack robustness, and its collapse.
 */
final class RunGroups {

    private final Study.Results results;

    RunGroups(Study.Results results) {
        this.results = results;
    }

    /** The raw results. */
    Study.Results results() {
        return results;
    }

    /** Groups the runs of {@code scenario} and {@code encoder} by variant, in the order first seen. */
    List<RunGroup> groups(String scenario, String encoder) {
        Map<String, List<RunResult>> by = new LinkedHashMap<>();
        for (RunResult r : results.runs()) {
            if (r.scenario().equals(scenario) && r.encoder().equals(encoder)) {
                by.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
            }
        }
        List<RunGroup> out = new ArrayList<>();
        by.forEach((k, v) -> out.add(new RunGroup(scenario, encoder, k, v.get(0).display(), v)));
        return out;
    }

    RunGroup group(String scenario, String encoder, String variant) {
        for (RunGroup g : groups(scenario, encoder)) {
            if (g.variant().equals(variant)) {
                return g;
            }
        }
        return null;
    }

    List<String> scenarios() {
        Set<String> s = new LinkedHashSet<>();
        for (RunResult r : results.runs()) {
            if (!r.scenario().equals("sweep")) {
                s.add(r.scenario());
            }
        }
        return new ArrayList<>(s);
    }

    List<String> encoders() {
        Set<String> s = new LinkedHashSet<>();
        for (RunResult r : results.runs()) {
            if (!r.naiveBayes() && !r.scenario().equals("sweep")) {
                s.add(r.encoder());
            }
        }
        return new ArrayList<>(s);
    }

    /** Whether most runs of the group predict a single class on the held-out tail. */
    static boolean constantMajority(RunGroup g) {
        long c = g.runs().stream().filter(RunResult::constantPredictor).count();
        return 2 * c > g.runs().size();
    }

    static double discrete(RunResult r, String attack) {
        DiscreteAttack.Summary s = r.discrete(attack);
        return s == null ? Double.NaN : s.robustSpam();
    }


    /**
     * The first collapse of a run, recomputed from its probe curve with the study's thresholds; probes where the
     * attack changed no prediction are skipped (see {@link CollapseDetector#informative}).
     */
    CollapseDetector.Collapse collapseOf(RunResult r) {
        Map<String, String> s = results.settings();
        CollapseDetector d = new CollapseDetector(Double.parseDouble(s.getOrDefault("collapseDrop", "0.2")),
                Double.parseDouble(s.getOrDefault("collapseCleanTolerance", "0.05")),
                Double.parseDouble(s.getOrDefault("collapseMinPeak", "0.2")),
                Double.parseDouble(s.getOrDefault("collapseMinClean", "0.8")));
        for (RunResult.ProbePoint p : r.probes()) {
            if (p.robust() < p.clean()) {
                d.observe(p.batch(), p.examples(), p.clean(), p.robust());
            }
        }
        return d.collapse();
    }

    /** The first probe after the collapse whose robust accuracy is back within half the drop of the peak; -1 if none. */
    int recoveryBatch(RunResult r, CollapseDetector.Collapse c) {
        double drop = Double.parseDouble(results.settings().getOrDefault("collapseDrop", "0.2"));
        for (RunResult.ProbePoint p : r.probes()) {
            if (p.batch() > c.batch() && p.robust() >= c.peakRobust() - drop / 2) {
                return p.batch();
            }
        }
        return -1;
    }

    static double peakProbe(RunResult r) {
        double m = Double.NaN;
        for (RunResult.ProbePoint p : r.probes()) {
            if (Double.isNaN(m) || p.robust() > m) {
                m = p.robust();
            }
        }
        return m;
    }

    static RunResult.ProbePoint last(RunResult r) {
        return r.probes().get(r.probes().size() - 1);
    }
}
