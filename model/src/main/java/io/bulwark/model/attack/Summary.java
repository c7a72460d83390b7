package io.bulwark.model.attack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Means and sample standard deviations over seeds of {@link RobustnessBenchmark.Run}s, per model and metric. */
public final class Summary {

    /** Mean, sample standard deviation (NaN for one value) and number of values. */
    public record Stat(double mean, double sd, int n) {

        /** The statistic of {@code values}, ignoring non-finite ones. */
        public static Stat of(List<Double> values) {
            List<Double> v = values.stream().filter(Double::isFinite).toList();
            int n = v.size();
            double mean = v.stream().mapToDouble(Double::doubleValue).sum() / Math.max(1, n);
            double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            return new Stat(n == 0 ? Double.NaN : mean, n < 2 ? Double.NaN : Math.sqrt(ss / (n - 1)), n);
        }

        /** {@code 0.937±0.012}. */
        public String format() {
            if (!Double.isFinite(mean)) {
                return "n/a";
            }
            return Double.isFinite(sd) ? String.format(java.util.Locale.ROOT, "%.3f±%.3f", mean, sd)
                    : String.format(java.util.Locale.ROOT, "%.3f", mean);
        }
    }

    private final List<RobustnessBenchmark.Run> runs;

    /** A summary of {@code runs}. */
    public Summary(List<RobustnessBenchmark.Run> runs) {
        this.runs = List.copyOf(runs);
    }

    /** The model names, in order of first appearance. */
    public List<String> models() {
        Set<String> s = new LinkedHashSet<>();
        runs.forEach(r -> s.add(r.model()));
        return new ArrayList<>(s);
    }

    /** The attack names, in order of first appearance. */
    public List<String> attacks() {
        Set<String> s = new LinkedHashSet<>();
        runs.forEach(r -> r.attacks().forEach(a -> s.add(a.name())));
        return new ArrayList<>(s);
    }

    /** Held-out clean accuracy (all labels) of a model over seeds. */
    public Stat cleanAccuracy(String model) {
        return stat(model, r -> r.cleanAccuracy());
    }

    /** Clean accuracy on the attacked examples (recall of the attacked class) of a model over seeds. */
    public Stat attackedCleanAccuracy(String model) {
        return stat(model, r -> r.attacks().isEmpty() ? Double.NaN : r.attacks().get(0).cleanAccuracy());
    }

    /** A metric of one attack for a model over seeds (NaN where the model was not attacked with it). */
    public Stat attack(String model, String attack, ToDoubleFunction<AttackMetrics> metric) {
        return stat(model, r -> r.attacks().stream().filter(a -> a.name().equals(attack))
                .mapToDouble(metric).findFirst().orElse(Double.NaN));
    }

    private Stat stat(String model, ToDoubleFunction<RobustnessBenchmark.Run> f) {
        List<Double> v = new ArrayList<>();
        for (RobustnessBenchmark.Run r : runs) {
            if (r.model().equals(model)) {
                v.add(f.applyAsDouble(r));
            }
        }
        return Stat.of(v);
    }

    /** The report form: per model, clean accuracy and per attack {accuracy, success_rate, words_perturbed, queries} as {mean, sd, n}. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String model : models()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clean_accuracy", map(cleanAccuracy(model)));
            m.put("attacked_class_clean_accuracy", map(attackedCleanAccuracy(model)));
            Map<String, Object> attacks = new LinkedHashMap<>();
            for (String a : attacks()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("accuracy", map(attack(model, a, AttackMetrics::accuracy)));
                row.put("success_rate", map(attack(model, a, AttackMetrics::successRate)));
                row.put("words_perturbed", map(attack(model, a, AttackMetrics::wordsPerturbed)));
                row.put("queries", map(attack(model, a, AttackMetrics::queries)));
                attacks.put(a, row);
            }
            m.put("attacks", attacks);
            out.put(model, m);
        }
        return out;
    }

    private static Map<String, Object> map(Stat s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", Double.isFinite(s.mean()) ? s.mean() : null);
        m.put("sd", Double.isFinite(s.sd()) ? s.sd() : null);
        m.put("n", s.n());
        return m;
    }
}
