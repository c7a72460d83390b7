package io.bulwark.job.metrics;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A metric reporter that keeps every Flink metric of this JVM readable in process, for the CLI's progress display
 * and for tests that wait on metrics instead of sleeping. Enable it on a local or mini cluster with
 * {@code metrics.reporter.inprocess.factory.class: io.bulwark.job.metrics.InProcessMetrics$Factory}
 * ({@link #configure}). Metrics of finished jobs stay readable with their last value.
 */
public final class InProcessMetrics implements MetricReporter {

    /** The reporter name used by {@link #configure}. */
    public static final String REPORTER_NAME = "inprocess";
    private static final Map<String, Entry> METRICS = new ConcurrentHashMap<>();

    /** Adds this reporter to a Flink configuration. */
    public static void configure(org.apache.flink.configuration.Configuration conf) {
        conf.setString("metrics.reporter." + REPORTER_NAME + ".factory.class", Factory.class.getName());
    }

    /** The variable of the per-model subgroup ({@code bulwark.model.<id>}). */
    public static final String MODEL_VARIABLE = "<" + BulwarkMetrics.MODEL_GROUP + ">";

    /** The variable of the per-reason dead-letter subgroup ({@code bulwark.reason.<R>}). */
    public static final String REASON_VARIABLE = "<" + BulwarkMetrics.REASON_GROUP + ">";

    /** Returns the sum of an operator-level counter or numeric gauge (not per model or reason) over a job. */
    public static long sum(String jobName, String metricName) {
        return matching(jobName, metricName).stream().filter(InProcessMetrics::operatorLevel)
                .mapToLong(e -> (long) e.value()).sum();
    }

    private static boolean operatorLevel(Entry e) {
        return !e.variables.containsKey(MODEL_VARIABLE) && !e.variables.containsKey(REASON_VARIABLE);
    }

    /** Returns a per-model gauge ({@code bulwark.model.<id>.<name>}) by model id. */
    public static Map<String, Double> byModel(String jobName, String metricName) {
        return matching(jobName, metricName).stream().filter(e -> e.variables.containsKey(MODEL_VARIABLE))
                .collect(Collectors.toMap(e -> e.variables.get(MODEL_VARIABLE), Entry::value, (a, b) -> b));
    }

    /** Returns the highest value of a numeric gauge or counter over every subtask of a job, if any. */
    public static OptionalDouble max(String jobName, String metricName) {
        return matching(jobName, metricName).stream().filter(InProcessMetrics::operatorLevel)
                .mapToDouble(Entry::value).filter(v -> !Double.isNaN(v)).max();
    }

    /** Returns the values of a metric by its variables, e.g. {@code <reason>} for dead letters. */
    public static Map<String, Long> sumBy(String jobName, String metricName, String variable) {
        return matching(jobName, metricName).stream().filter(e -> e.variables.containsKey(variable))
                .collect(Collectors.groupingBy(e -> e.variables.get(variable),
                        Collectors.summingLong(e -> (long) e.value())));
    }

    /** Forgets the metrics of a job. */
    public static void forget(String jobName) {
        METRICS.values().removeIf(e -> jobName.equals(e.variables.get("<job_name>")));
    }

    private static List<Entry> matching(String jobName, String metricName) {
        return METRICS.values().stream()
                .filter(e -> e.name.equals(metricName))
                .filter(e -> jobName == null || jobName.equals(e.variables.get("<job_name>")))
                .collect(Collectors.toList());
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String id = group.getMetricIdentifier(metricName);
        METRICS.put(id, new Entry(metricName, Map.copyOf(group.getAllVariables()), metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        Entry e = METRICS.get(group.getMetricIdentifier(metricName));
        if (e != null) {
            e.freeze();
        }
    }

    /** One metric and its variables; frozen to its last value when Flink removes it. */
    private static final class Entry {
        final String name;
        final Map<String, String> variables;
        private volatile Metric metric;
        private volatile double frozen = Double.NaN;

        Entry(String name, Map<String, String> variables, Metric metric) {
            this.name = name;
            this.variables = variables;
            this.metric = metric;
        }

        void freeze() {
            frozen = read(metric);
            metric = null;
        }

        double value() {
            Metric m = metric;
            return m == null ? frozen : read(m);
        }

        private static double read(Metric m) {
            if (m instanceof Counter) {
                return ((Counter) m).getCount();
            }
            if (m instanceof Meter) {
                return ((Meter) m).getRate();
            }
            if (m instanceof Gauge) {
                Object v = ((Gauge<?>) m).getValue();
                return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
            }
            return Double.NaN;
        }
    }

    /** Creates the reporter (Flink instantiates it by class name). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new InProcessMetrics();
        }
    }
}
