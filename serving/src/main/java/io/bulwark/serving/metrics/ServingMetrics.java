package io.bulwark.serving.metrics;

import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.GateDecision;
import io.bulwark.serving.registry.ServedModel;
import io.bulwark.serving.registry.RegistryListener;
import io.bulwark.serving.ab.ReportPoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The process's Micrometer metrics (exported to Prometheus under {@code bulwark_serving_*}) and the per-second
 * time series the dashboard draws.
 */
public final class ServingMetrics implements RegistryListener, AutoCloseable {

    /** Arm tag of requests sent to an explicit version, outside the experiment. */
    public static final String DIRECT = "direct";
    private static final int MAX_SAMPLES = 600;
    /** Latency percentiles on the dashboard cover this much recent time. */
    private static final long LATENCY_WINDOW_MILLIS = 60_000;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ArmStats> arms = new ConcurrentHashMap<>();
    private final Map<String, Deque<Sample>> series = new ConcurrentHashMap<>();
    private final Map<String, Long> lastCounts = new ConcurrentHashMap<>();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Timer loadTimer;
    private final ScheduledExecutorService sampler;
    private volatile long lastSampleNanos = System.nanoTime();
    private final int windowIntervals;

    /** Per-arm numbers of one second. */
    public record ArmSample(double requestsPerSecond, double p50Millis, double p99Millis, double accuracy) {}

    /** One point of the serving time series. */
    public record Sample(long at, Map<String, ArmSample> arms) {}

    /** Creates the registry and starts sampling every {@code sampleMillis} milliseconds. */
    public ServingMetrics(long sampleMillis) {
        this.windowIntervals = (int) Math.max(1, LATENCY_WINDOW_MILLIS / sampleMillis);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        loadTimer = Timer.builder("bulwark.serving.snapshot.load").description("Time to load one snapshot")
                .register(registry);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, sampleMillis, sampleMillis, TimeUnit.MILLISECONDS);
    }

    /** The Micrometer registry. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of all metrics. */
    public String scrape() {
        return registry.scrape();
    }

    /** The stats of {@code arm} ("A", "B" or "direct") of {@code modelId}, created on first use. */
    public ArmStats arm(String modelId, String arm) {
        return arms.computeIfAbsent(modelId + '\u0000' + arm, k -> new ArmStats(registry, modelId, arm, windowIntervals));
    }

    /** Counts a request answered with an error status. */
    public void error(String route, int status) {
        Counter.builder("bulwark.serving.errors").tag("route", route).tag("status", Integer.toString(status))
                .description("Requests answered with an error status").register(registry).increment();
    }

    /** Counts a shadow comparison between A's and B's labels. */
    public void shadowCompared(String modelId, int agree, int disagree) {
        Counter.builder("bulwark.serving.shadow.comparisons").tag("model", modelId).tag("agreement", "agree")
                .description("Texts scored by both arms in shadow mode").register(registry).increment(agree);
        Counter.builder("bulwark.serving.shadow.comparisons").tag("model", modelId).tag("agreement", "disagree")
                .description("Texts scored by both arms in shadow mode").register(registry).increment(disagree);
    }

    /** Counts a request whose challenger was in shadow mode: mirrored to it, or skipped by the sampled share. */
    public void shadowSampled(String modelId, boolean mirrored) {
        Counter.builder("bulwark.serving.shadow.requests").tag("model", modelId)
                .tag("outcome", mirrored ? "mirrored" : "skipped")
                .description("Requests answered while shadow mode was on: mirrored to the challenger or skipped")
                .register(registry).increment();
    }

    /** Requests mirrored and skipped in shadow mode so far: [mirrored, skipped]. */
    public long[] shadowSampledCounts(String modelId) {
        long[] out = new long[2];
        String[] outcomes = {"mirrored", "skipped"};
        for (int i = 0; i < 2; i++) {
            Counter c = registry.find("bulwark.serving.shadow.requests").tag("model", modelId)
                    .tag("outcome", outcomes[i]).counter();
            out[i] = c == null ? 0 : (long) c.count();
        }
        return out;
    }

    /** Counts a shadow request dropped because the shadow queue was full. */
    public void shadowDropped(String modelId) {
        Counter.builder("bulwark.serving.shadow.dropped").tag("model", modelId)
                .description("Shadow scorings dropped because the shadow queue was full").register(registry).increment();
    }

    /** Shadow comparisons so far: [agree, disagree]. */
    public long[] shadowCounts(String modelId) {
        Counter agree = registry.find("bulwark.serving.shadow.comparisons").tag("model", modelId)
                .tag("agreement", "agree").counter();
        Counter disagree = registry.find("bulwark.serving.shadow.comparisons").tag("model", modelId)
                .tag("agreement", "disagree").counter();
        return new long[] {agree == null ? 0 : (long) agree.count(), disagree == null ? 0 : (long) disagree.count()};
    }

    @Override
    public void loaded(String modelId, long version, long nanos) {
        loadTimer.record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("bulwark.serving.snapshots.loaded").tag("model", modelId)
                .description("Snapshots loaded").register(registry).increment();
    }

    @Override
    public void refused(String modelId, String kind) {
        Counter.builder("bulwark.serving.snapshots.refused").tag("model", modelId).tag("reason", kind)
                .description("Snapshots refused (corrupt, incompatible, undecodable)").register(registry).increment();
    }

    @Override
    public void evicted(String modelId, long version) {
        Counter.builder("bulwark.serving.snapshots.evicted").tag("model", modelId)
                .description("Versions evicted to respect the bound on versions per model").register(registry)
                .increment();
    }

    @Override
    public void report(ReportPoint report) {
        Counter.builder("bulwark.serving.reports").tag("model", report.modelId())
                .description("Robustness reports received").register(registry).increment();
    }

    @Override
    public void gateBlocked(String modelId, GateDecision decision) {
        Counter.builder("bulwark.serving.gate.blocked").tag("model", modelId)
                .description("Automatic promotions the robustness gate blocked").register(registry).increment();
    }

    @Override
    public void modelAdded(ServedModel slot) {
        String id = slot.modelId();
        Gauge.builder("bulwark.serving.loaded.versions", slot, s -> s.loadedCount()).tag("model", id)
                .description("Versions loaded and ready to score").strongReference(true).register(registry);
        for (Arm arm : Arm.values()) {
            Gauge.builder("bulwark.serving.arm.version", slot, s -> s.readExperiment(e -> {
                Long v = e.version(arm);
                return v == null ? Double.NaN : v.doubleValue();
            })).tag("model", id).tag("arm", arm.id()).description("The version an arm serves (NaN when none)")
                    .strongReference(true).register(registry);
            Gauge.builder("bulwark.serving.arm.weight", slot, s -> s.readExperiment(e -> e.weight(arm)))
                    .tag("model", id).tag("arm", arm.id()).description("Traffic weight of an arm")
                    .strongReference(true).register(registry);
            arm(id, arm.id());
        }
        Gauge.builder("bulwark.serving.canary.examples", slot, s -> s.canary().set().size()).tag("model", id)
                .description("Examples in the model's canary set").strongReference(true).register(registry);
        for (Arm arm : Arm.values()) {
            for (String kind : List.of("clean", "attacked")) {
                Gauge.builder("bulwark.serving.canary.accuracy", slot, s -> canaryAccuracy(s, arm, kind))
                        .tag("model", id).tag("arm", arm.id()).tag("kind", kind)
                        .description("Canary-set accuracy of the version an arm serves, clean or under every attack"
                                + " family (NaN before it is scored)")
                        .strongReference(true).register(registry);
            }
        }
        Gauge.builder("bulwark.serving.report.robust.accuracy", slot,
                        s -> s.latestReport().map(ReportPoint::robustAccuracy).orElse(Double.NaN))
                .tag("model", id).description("Robust accuracy of the newest robustness report")
                .strongReference(true).register(registry);
        Gauge.builder("bulwark.serving.report.clean.accuracy", slot,
                        s -> s.latestReport().map(ReportPoint::cleanAccuracy).orElse(Double.NaN))
                .tag("model", id).description("Clean accuracy of the newest robustness report")
                .strongReference(true).register(registry);
    }

    private static double canaryAccuracy(ServedModel slot, Arm arm, String kind) {
        Long v = slot.readExperiment(e -> e.version(arm));
        if (v == null) {
            return Double.NaN;
        }
        return slot.canary().scores().accuracy(v)
                .map(a -> kind.equals("clean") ? a.cleanAccuracy() : a.robustAccuracy()).orElse(Double.NaN);
    }

    @Override
    public void autoRolledBack(String modelId, io.bulwark.serving.ab.Experiment.Event rollback) {
        Counter.builder("bulwark.serving.auto.rollbacks").tag("model", modelId)
                .description("Automatic rollbacks of arm A after its canary accuracy stayed below the threshold")
                .register(registry).increment();
    }

    /** Recent per-second samples of {@code modelId}, oldest first. */
    public List<Sample> series(String modelId) {
        Deque<Sample> d = series.get(modelId);
        if (d == null) {
            return List.of();
        }
        synchronized (d) {
            return new ArrayList<>(d);
        }
    }

    /** All arm stats of {@code modelId}, by arm. */
    public Map<String, ArmStats> arms(String modelId) {
        Map<String, ArmStats> m = new LinkedHashMap<>();
        for (String arm : List.of(Arm.A.id(), Arm.B.id(), DIRECT)) {
            ArmStats s = arms.get(modelId + '\u0000' + arm);
            if (s != null) {
                m.put(arm, s);
            }
        }
        return m;
    }

    private void sample() {
        try {
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - lastSampleNanos) / 1e9);
            lastSampleNanos = now;
            Map<String, Map<String, ArmSample>> byModel = new LinkedHashMap<>();
            for (Map.Entry<String, ArmStats> e : arms.entrySet()) {
                ArmStats s = e.getValue();
                s.rollInterval();
                long count = s.requestCount();
                Long last = lastCounts.put(e.getKey(), count);
                double rps = (count - (last == null ? 0 : last)) / seconds;
                byModel.computeIfAbsent(s.modelId(), k -> new LinkedHashMap<>())
                        .put(s.arm(), new ArmSample(rps, s.recentLatencyMillis(50), s.recentLatencyMillis(99),
                                s.accuracy()));
            }
            long at = System.currentTimeMillis();
            for (Map.Entry<String, Map<String, ArmSample>> e : byModel.entrySet()) {
                Deque<Sample> d = series.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>());
                synchronized (d) {
                    d.addLast(new Sample(at, e.getValue()));
                    while (d.size() > MAX_SAMPLES) {
                        d.removeFirst();
                    }
                }
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ServingMetrics.class).warn("Metrics sampling failed", e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        gcMetrics.close();
        registry.close();
    }
}
