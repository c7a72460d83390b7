package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's verdicts follow the numbers it is given. */
class StudyReportTest {

    private static RunResult run(String scenario, String variant, long seed, double clean, double pgd20, double seconds,
                                 double passes, double spamRecall, CollapseDetector.Collapse collapse) {
        Variant v = variant.startsWith("naive") ? null : Variant.parse(variant.split(" ")[0]);
        Map<String, Double> overrides = new LinkedHashMap<>();
        if (variant.contains(" ")) {
            String[] kv = variant.split(" ")[1].split("=");
            overrides.put(kv[0], Double.parseDouble(kv[1]));
        }
        List<DiscreteAttack.Summary> discrete = List.of(
                new DiscreteAttack.Summary("char", 4, 10, 10, spamRecall, spamRecall / 2, 0.9, 0.8, 0.6, 2.0, 50, "fr3e"),
                new DiscreteAttack.Summary("word", 4, 10, 10, spamRecall, spamRecall * 0.8, 0.9, 0.9, 0.8, 2.5, 30, ""));
        List<RunResult.ProbePoint> probes = collapse == null
                ? List.of(new RunResult.ProbePoint(4, 128, clean, pgd20), new RunResult.ProbePoint(8, 256, clean, pgd20))
                : List.of(new RunResult.ProbePoint(4, 128, collapse.clean(), collapse.peakRobust()),
                        new RunResult.ProbePoint(8, 256, collapse.clean(), collapse.robust()));
        return new RunResult(scenario, v == null ? "naive-bayes" : "pooled", variant,
                v == null ? "Naive Bayes (whole mail)" : v.withOverride("eps", 1).displayName().replace(" eps=1", "")
                        + (overrides.isEmpty() ? "" : " " + variant.split(" ")[1]),
                v == null ? "NAIVE_BAYES" : v.strategy().name(), v == null ? 1 : v.steps(), 1,
                v != null && v.ema(), overrides, seed, 1000, 32, passes, 32, 0, 0.9, seconds, 1000 / seconds, clean,
                spamRecall, 0.95, v == null ? Double.NaN : pgd20 + 0.01, v == null ? Double.NaN : pgd20,
                v == null ? Double.NaN : pgd20, 5, discrete, v == null ? List.of() : probes, collapse,
                List.of(0.5, 0.8, 0.9), List.of(0.0, 0.0, 0.0));
    }

    private static Study.Results results() {
        List<RunResult> runs = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            double d = seed * 0.005;
            runs.add(run("shuffled", "natural", seed, 0.96 + d, 0.01, 10, 1, 0.9, null));
            runs.add(run("shuffled", "pgd-3", seed, 0.93 + d, 0.60 + d, 35, 4, 0.85, null));
            runs.add(run("shuffled", "freeat-4", seed, 0.94 + d, 0.61 + d, 36, 4, 0.88,
                    seed == 2 ? new CollapseDetector.Collapse(8, 256, 0.7, 4, 0.2, 0.94) : null));
            runs.add(run("shuffled", "freeat-4+ema", seed, 0.95 + d, 0.65 + d, 45, 4, 0.88, null));
            runs.add(run("shuffled", "pgd-7", seed, 0.92 + d, 0.70 + d, 70, 8, 0.85, null));
            runs.add(run("shuffled", "freeat-8", seed, 0.90 + d, 0.40 + d, 70, 8, 0.85, null));
            runs.add(run("shuffled", "naive-bayes", seed, 0.97, Double.NaN, 0.2, 0, 0.95, null));
            // PGD-1 never learned: it calls every mail ham (spam recall 0).
            runs.add(run("shuffled", "pgd-1", seed, 0.72, 0.72, 20, 2, 0.0, null));
            runs.add(run("shuffled", "freeat-2", seed, 0.92, 0.55, 20, 2, 0.8, null));
        }
        runs.add(run("sweep", "freeat-4 eps=0.1", 1, 0.94, 0.80, 36, 4, 0.88, null));
        runs.add(run("sweep", "freeat-4 lr=0.004", 1, 0.80, 0.85, 36, 4, 0.88, null));
        Map<String, String> settings = new LinkedHashMap<>();
        String[][] kv = {{"seeds", "[1, 2]"}, {"trainEvents", "1000"}, {"limit", "1000"}, {"heldOut", "160"},
            {"orders", "[shuffled]"}, {"encoders", "[pooled]"}, {"batchSize", "32"}, {"attackEpsilon", "0.05"},
            {"pgdRestarts", "2"}, {"epsilon", "0.05"}, {"alpha", "learner default"}, {"learningRate", "0.002"},
            {"mu", "1"}, {"beta", "0.99"}, {"warmup", "10"}, {"maxLength", "64"}, {"variants", "[...]"},
            {"transformerVariants", "[...]"}, {"emaModes", "[false]"}, {"discreteBudget", "4"},
            {"discreteTopWords", "8"}, {"discreteExamples", "10"}, {"driftPhaseEvents", "480"},
            {"driftHeldOut", "100"}, {"driftEncoder", "pooled"}, {"driftWindow", "5"}, {"driftTolerance", "0.05"},
            {"probeEvery", "4"}, {"probeSize", "32"}, {"collapseDrop", "0.2"}, {"collapseCleanTolerance", "0.05"},
            {"collapseMinPeak", "0.2"}, {"sweep", "true"}, {"sweepVariant", "freeat-4"}};
        for (String[] e : kv) {
            settings.put(e[0], e[1]);
        }
        List<DriftExperiment.Result> drift = List.of(
                new DriftExperiment.Result("pooled", "freeat-4", "Free-4", false, 1, 15, 15, 0.95, 0.20, 6, 0.96, 0.80,
                        0.16, 0.9, 0.97, 0.70, 0.93, 10, List.of(), List.of(), List.of(), List.of(new double[] {16, 0.3})),
                new DriftExperiment.Result("pooled", "freeat-4+ema", "Free-4 +EMA", true, 1, 15, 15, 0.95, 0.15, 4,
                        0.96, 0.88, 0.08, 0.9, 0.97, 0.70, 0.92, 12, List.of(), List.of(), List.of(), List.of(new double[] {16, 0.2})));
        return new Study.Results(Study.FORMAT_VERSION, "start", "end", 600, "bulwark study --test", Map.of("java", "17"),
                settings, new Study.Calibration(Map.of("pooled", 100.0), Map.of(), Map.of()), List.of(), runs, drift,
                true);
    }

    @Test
    void verdictsFollowTheNumbers() throws Exception {
        Path md = Path.of("target", "report-test", "results.md");
        StudyReport report = new StudyReport(results(), md, "img");
        String text = report.write(List.of("x.png"));

        assertThat(Files.readString(md)).isEqualTo(text);
        // Free-4 (61.x) vs PGD-3 (60.x): within 2 points -> as robust; Free-8 (40) vs PGD-7 (70): less robust.
        assertThat(text).contains("Free-4 is **as robust as PGD-3**", "Free-8 is **less robust than PGD-7**",
                "Free-2 is **a working filter; PGD-1 is not (it predicts");
        assertThat(text).contains("| PGD-1 † |");
        // EMA helped Free-4 by 4 points of PGD-20.
        assertThat(text).contains("| shuffled | pooled | Free-4 | +0.0 | +1.0 | +4.0 |");
        // The collapse of seed 2 is listed.
        assertThat(text).contains("| shuffled | pooled | Free-4 | 2 | 8 | 70.0 (4) | 20.0 | 94.0 |");
        // Sweep: eps = 0.1 beats the default by > 2 points with clean within 2 points; lr = 0.004 loses clean accuracy.
        assertThat(text).contains("**eps = 0.1**", "**lr = 0.002**");
        assertThat(text).contains("EMA changes forgetting from 16.0 to 8.0 points (runs that had learned phase A: 1/1 and 1/1)");
        assertThat(report.recommendations()).anyMatch(l -> l.startsWith("**m = 4**"));
        assertThat(text).contains("![x](img/x.png)");
    }

    @Test
    void reportMatchesTheGoldenFile() throws Exception {
        Path md = Path.of("target", "report-test", "golden", "results.md");
        String text = new StudyReport(results(), md, "img").write(List.of("x.png", "prequential_shuffled_pooled.png"));

        String golden;
        try (InputStream in = StudyReportTest.class.getResourceAsStream("/report/golden-results.md")) {
            assertThat(in).as("test resource report/golden-results.md").isNotNull();
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(text).as("report of the synthetic results, written to %s", md.toAbsolutePath()).isEqualTo(golden);
    }
}
