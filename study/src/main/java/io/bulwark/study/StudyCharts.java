package io.bulwark.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the study's plots as PNG files with XChart: cost vs robustness, learning curves, probes, drift, attacks. */
public final class StudyCharts {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;

    private final Study.Results results;
    private final Path dir;
    private final List<String> written = new ArrayList<>();

    /** Charts of {@code results} written into {@code dir}. */
    public StudyCharts(Study.Results results, Path dir) {
        this.results = results;
        this.dir = dir;
    }

    /** Draws every chart the results allow and returns the file names written. */
    public List<String> drawAll() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
        RunGroups runs = new RunGroups(results);
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                List<RunGroup> groups = runs.groups(scenario, enc);
                if (groups.isEmpty()) {
                    continue;
                }
                costVsRobustness(scenario, enc, groups);
                learningCurves(scenario, enc, groups, runs.groups(scenario, "naive-bayes"));
                probes(scenario, enc, groups);
            }
            discrete(scenario, runs);
        }
        drift();
        return List.copyOf(written);
    }

    private void costVsRobustness(String scenario, String enc, List<RunGroup> groups) {
        XYChart c = xy("Cost vs PGD-20 robustness (" + scenario + ", " + enc + ", mean ± std over seeds)",
                "training wall time (s)", "PGD-20 robust accuracy on the held-out tail (%)");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        for (RunGroup g : groups) {
            Stats t = g.stats(RunResult::trainSeconds);
            Stats r = g.stats(RunResult::pgd20);
            if (t.n() == 0 || r.n() == 0) {
                continue;
            }
            c.addSeries(g.display(), new double[] {t.mean()}, new double[] {100 * r.mean()},
                    new double[] {100 * r.std()});
        }
        save(c, "cost_vs_pgd20_" + scenario + "_" + enc);
    }

    private void learningCurves(String scenario, String enc, List<RunGroup> groups,
                                List<RunGroup> nb) {
        XYChart c = xy("Prequential accuracy, rolling over 5 batches (" + scenario + ", " + enc + ")",
                "batch", "prequential accuracy (%)");
        List<RunGroup> all = new ArrayList<>();
        for (RunGroup g : groups) {
            if (!g.first().ema()) {
                all.add(g);
            }
        }
        all.addAll(nb);
        for (RunGroup g : all) {
            double[] y = meanCurve(g.runs(), RunResult::batchAccuracy);
            if (y.length == 0) {
                continue;
            }
            double[] r = rolling(y, 5);
            line(c, g.display(), index(r.length), scale(r, 100));
        }
        save(c, "prequential_" + scenario + "_" + enc);
    }

    private void probes(String scenario, String enc, List<RunGroup> groups) {
        XYChart c = xy("Probe PGD-10 robust accuracy during training (" + scenario + ", " + enc + ", mean over seeds)",
                "batch", "robust accuracy on the probe (%)");
        boolean any = false;
        for (RunGroup g : groups) {
            List<RunResult.ProbePoint> p = g.first().probes();
            if (p.isEmpty()) {
                continue;
            }
            int n = Integer.MAX_VALUE;
            for (RunResult r : g.runs()) {
                n = Math.min(n, r.probes().size());
            }
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = p.get(i).batch();
                double s = 0;
                for (RunResult r : g.runs()) {
                    s += r.probes().get(i).robust();
                }
                y[i] = 100 * s / g.runs().size();
            }
            line(c, g.display(), x, y);
            any = true;
        }
        if (any) {
            save(c, "probe_robustness_" + scenario + "_" + enc);
        }
    }

    private void discrete(String scenario, RunGroups runs) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Held-out spam still caught after the discrete attacks (" + scenario + ")")
                .xAxisTitle("model").yAxisTitle("accuracy on held-out spam (%)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisLabelRotation(40);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        List<String> names = new ArrayList<>();
        List<Double> clean = new ArrayList<>();
        List<Double> ch = new ArrayList<>();
        List<Double> wd = new ArrayList<>();
        List<String> encs = new ArrayList<>(runs.encoders());
        encs.add("naive-bayes");
        for (String enc : encs) {
            for (RunGroup g : runs.groups(scenario, enc)) {
                if (g.first().ema() || g.first().discrete().isEmpty()) {
                    continue;
                }
                names.add(g.display() + (enc.equals("transformer") ? " (transformer)" : ""));
                clean.add(nz(100 * g.stats(r -> r.discrete("char").cleanSpam()).mean()));
                ch.add(nz(100 * g.stats(r -> r.discrete("char").robustSpam()).mean()));
                wd.add(nz(100 * g.stats(r -> r.discrete("word").robustSpam()).mean()));
            }
        }
        if (names.isEmpty()) {
            return;
        }
        c.addSeries("clean", names, clean);
        c.addSeries("char edits", names, ch);
        c.addSeries("word edits", names, wd);
        save(c, "discrete_attacks_" + scenario);
    }

    private static double nz(double v) {
        return Double.isNaN(v) ? 0.0 : v;
    }

    private void drift() {
        List<DriftExperiment.Result> drift = results.drift();
        if (drift.isEmpty()) {
            return;
        }
        Map<String, List<DriftExperiment.Result>> by = new LinkedHashMap<>();
        for (DriftExperiment.Result r : drift) {
            by.computeIfAbsent(r.display(), k -> new ArrayList<>()).add(r);
        }
        XYChart acc = xy("Drift: rolling prequential accuracy (phase A = 2002 mail, then phase B = 2003 mail + hard"
                + " ham)", "batch", "rolling prequential accuracy (%)");
        XYChart kl = xy("Drift: symKL to the model at the shift (solid) and to the EMA teacher (teacher)", "batch",
                "symmetric KL");
        int shift = drift.get(0).batchesA();
        double lo = 100;
        for (Map.Entry<String, List<DriftExperiment.Result>> e : by.entrySet()) {
            double[] y = meanCurve(e.getValue(), DriftExperiment.Result::rolling);
            if (y.length == 0) {
                continue;
            }
            double[] s = scale(y, 100);
            for (double v : s) {
                lo = Math.min(lo, v);
            }
            line(acc, e.getKey(), index(s.length), s);
            List<double[]> first = e.getValue().get(0).shiftKl();
            if (!first.isEmpty()) {
                int n = Integer.MAX_VALUE;
                for (DriftExperiment.Result r : e.getValue()) {
                    n = Math.min(n, r.shiftKl().size());
                }
                double[] x = new double[n];
                double[] k = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = first.get(i)[0];
                    for (DriftExperiment.Result r : e.getValue()) {
                        k[i] += r.shiftKl().get(i)[1] / e.getValue().size();
                    }
                }
                line(kl, e.getKey() + " (to shift)", x, k);
            }
            if (e.getValue().get(0).ema()) {
                double[] t = meanCurve(e.getValue(), DriftExperiment.Result::teacherKl);
                line(kl, e.getKey() + " (teacher)", index(t.length), t);
            }
        }
        line(acc, "shift", new double[] {shift + 0.5, shift + 0.5}, new double[] {Math.max(0, lo - 5), 100});
        save(acc, "drift_accuracy");
        save(kl, "drift_kl");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(13f));
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
    }

    private static <T> double[] meanCurve(List<T> runs, Function<T, List<Double>> f) {
        int n = Integer.MAX_VALUE;
        for (T r : runs) {
            n = Math.min(n, f.apply(r).size());
        }
        if (runs.isEmpty() || n == 0 || n == Integer.MAX_VALUE) {
            return new double[0];
        }
        double[] out = new double[n];
        int[] count = new int[n];
        for (T r : runs) {
            List<Double> v = f.apply(r);
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(v.get(i))) {
                    out[i] += v.get(i);
                    count[i]++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            out[i] = count[i] == 0 ? Double.NaN : out[i] / count[i];
        }
        return out;
    }

    private static double[] rolling(double[] v, int w) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double s = 0;
            int n = 0;
            for (int j = Math.max(0, i - w + 1); j <= i; j++) {
                if (!Double.isNaN(v[j])) {
                    s += v[j];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : s / n;
        }
        return out;
    }

    private static double[] index(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    private static double[] scale(double[] v, double k) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * k;
        }
        return out;
    }

    private void save(Chart<?, ?> chart, String name) {
        try {
            BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(name + ".png");
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write the chart " + name + ": " + e.getMessage(), e);
        }
    }
}
