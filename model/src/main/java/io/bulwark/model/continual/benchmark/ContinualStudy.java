package io.bulwark.model.continual.benchmark;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.LearnerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Runs the continual benchmark over stream orders, seeds and variants (the given learner, the learner without its
 * continual parts, the learner with the Bregman/EMA term, naive Bayes) and summarises each figure as mean and
 * standard deviation over the seeds.
 */
public final class ContinualStudy {
    /** Bregman/EMA settings of the "+ Bregman/EMA" variant (the study's mu and beta, docs/results.md). */
    public static final double BREGMAN_WEIGHT = 1.0;

    private final LearnerConfig base;
    private final List<Long> seeds;
    private final List<String> orders;
    private final int heldOutPerClass;
    private final int limit;
    private final Consumer<String> progress;
    private final List<String> variantNames;

    /**
     * A study of {@code base} (its labels are set per stream).
     *
     * @param limit at most this many events per stream (0 = all)
     * @param variantNames the variants to run, a subset of {@link #VARIANTS}
     * @param progress receives one line per finished run
     */
    public ContinualStudy(LearnerConfig base, List<Long> seeds, List<String> orders, int heldOutPerClass, int limit,
                          List<String> variantNames, Consumer<String> progress) {
        for (String v : variantNames) {
            if (!VARIANTS.contains(v)) {
                throw new IllegalArgumentException("Unknown variant '" + v + "'; expected one of " + VARIANTS);
            }
        }
        this.variantNames = List.copyOf(variantNames);
        this.base = base;
        this.seeds = List.copyOf(seeds);
        this.orders = List.copyOf(orders);
        this.heldOutPerClass = heldOutPerClass;
        this.limit = limit;
        this.progress = progress;
    }

    /**
     * The variants: the learner as configured, without its wide side and replay, with the Bregman/EMA term (without
     * it when it is on), and naive Bayes.
     */
    public static final List<String> VARIANTS = List.of("learner", "no-wide-replay", "bregman", "naive-bayes");

    /** The selected variants: name to configuration, null for naive Bayes. */
    public Map<String, LearnerConfig> variants() {
        Map<String, LearnerConfig> all = new LinkedHashMap<>();
        all.put("learner", base);
        all.put("no-wide-replay", base.toBuilder().optContinual(ContinualConfig.OFF).build());
        all.put("bregman", base.toBuilder().optBregmanWeight(base.hasTeacher() ? 0.0 : BREGMAN_WEIGHT).build());
        all.put("naive-bayes", null);
        Map<String, LearnerConfig> v = new LinkedHashMap<>();
        variantNames.forEach(n -> v.put(n, all.get(n)));
        return v;
    }

    /** Runs everything; returns per order, per variant, the runs in seed order. */
    public Map<String, Map<String, List<ContinualBenchmark.RunResult>>> run() {
        ContinualBenchmark bench = new ContinualBenchmark(base.batchSize());
        Map<String, Map<String, List<ContinualBenchmark.RunResult>>> out = new LinkedHashMap<>();
        for (String order : orders) {
            Map<String, List<ContinualBenchmark.RunResult>> byVariant = new LinkedHashMap<>();
            for (long seed : seeds) {
                ContinualStream stream = ContinualStream.of(order, seed, heldOutPerClass, limit);
                for (Map.Entry<String, LearnerConfig> v : variants().entrySet()) {
                    ContinualBenchmark.RunResult r = v.getValue() == null ? bench.runNaiveBayes(stream)
                            : bench.run(stream, v.getValue().toBuilder().optSeed(seed).build());
                    byVariant.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(r);
                    progress.accept(String.format(Locale.ROOT,
                            "%-8s seed %d %-15s prequential %.4f cold %.4f worst class %.3f forgetting %.3f (%.0f s)"
                                    + " held-out %s experts %s experts held-out %s",
                            order, seed, v.getKey(), r.prequential(), r.coldStart(), r.worstClass(),
                            r.meanForgetting(), r.seconds(), r.heldOut(), r.experts(), r.expertHeldOut()));
                }
            }
            out.put(order, byVariant);
        }
        return out;
    }

    /** Mean and sample standard deviation of a figure over runs. */
    public static double[] meanStd(List<ContinualBenchmark.RunResult> runs,
                                   ToDoubleFunction<ContinualBenchmark.RunResult> figure) {
        double sum = 0;
        for (ContinualBenchmark.RunResult r : runs) {
            sum += figure.applyAsDouble(r);
        }
        double mean = sum / runs.size();
        double sq = 0;
        for (ContinualBenchmark.RunResult r : runs) {
            double d = figure.applyAsDouble(r) - mean;
            sq += d * d;
        }
        return new double[] {mean, runs.size() > 1 ? Math.sqrt(sq / (runs.size() - 1)) : 0.0};
    }

    /** The figures of one variant as a JSON-ready map: means, standard deviations and the runs. */
    public static Map<String, Object> summary(List<ContinualBenchmark.RunResult> runs, List<String> labels) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "prequential", meanStd(runs, ContinualBenchmark.RunResult::prequential));
        put(m, "coldStart", meanStd(runs, ContinualBenchmark.RunResult::coldStart));
        put(m, "worstClass", meanStd(runs, ContinualBenchmark.RunResult::worstClass));
        put(m, "meanForgetting", meanStd(runs, ContinualBenchmark.RunResult::meanForgetting));
        Map<String, Object> held = new LinkedHashMap<>();
        Map<String, Object> forgetting = new LinkedHashMap<>();
        for (String l : labels) {
            held.put(l, pair(meanStd(runs, r -> r.heldOut().get(l))));
            forgetting.put(l, pair(meanStd(runs, r -> r.forgetting().get(l))));
        }
        m.put("heldOutPerClass", held);
        m.put("forgettingPerClass", forgetting);
        List<Object> each = new ArrayList<>();
        for (ContinualBenchmark.RunResult r : runs) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("prequential", r.prequential());
            one.put("coldStart", r.coldStart());
            one.put("heldOut", r.heldOut());
            one.put("heldOutAfterEachEra", r.eras());
            one.put("forgetting", r.forgetting());
            one.put("expertPrequential", r.experts());
            one.put("expertHeldOut", r.expertHeldOut());
            one.put("seconds", r.seconds());
            each.add(one);
        }
        m.put("runs", each);
        return m;
    }

    private static void put(Map<String, Object> m, String key, double[] meanStd) {
        m.put(key, pair(meanStd));
    }

    private static Map<String, Double> pair(double[] meanStd) {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("mean", meanStd[0]);
        p.put("std", meanStd[1]);
        return p;
    }
}
