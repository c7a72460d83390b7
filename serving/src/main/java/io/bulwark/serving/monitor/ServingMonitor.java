package io.bulwark.serving.monitor;

import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.model.Scored;
import io.bulwark.serving.registry.LoadedVersion;
import io.bulwark.serving.registry.RegistryListener;
import io.bulwark.serving.registry.ServedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitors every model's served inputs and answers off the request path: the scoring service hands each answered
 * request here, one background thread profiles its texts ({@link TextProfile}) into the model's
 * {@link ModelMonitor}; when the queue is full a request is dropped and counted. Registers the monitor's metrics for
 * each model as the registry first sees it.
 */
public final class ServingMonitor implements RegistryListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingMonitor.class);
    private static final int QUEUE = 1000;

    private final MonitorSettings settings;
    private final MeterRegistry meters;
    private final Map<String, ModelMonitor> models = new ConcurrentHashMap<>();
    private final Map<String, ServedModel> slots = new ConcurrentHashMap<>();
    private final VersionGauges versionGauges;
    private final ThreadPoolExecutor executor;

    /** A monitor with {@code settings} registering its metrics in {@code meters}. */
    public ServingMonitor(MonitorSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.meters = meters;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "bulwark-monitor");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        this.versionGauges = new VersionGauges(meters);
    }

    /** The monitor of {@code modelId}, created on first use. */
    public ModelMonitor model(String modelId) {
        return models.computeIfAbsent(modelId, id -> new ModelMonitor(settings));
    }

    /** The monitor of {@code modelId}, if it has one. */
    public Optional<ModelMonitor> find(String modelId) {
        return Optional.ofNullable(models.get(modelId));
    }

    /**
     * Queues the texts of an answered request: with {@code inputs} they enter the input windows (requests served by
     * the experiment count once; shadow answers only add their version's confidences).
     */
    public void submit(String modelId, long version, List<String> texts, List<Scored> answers, boolean inputs) {
        try {
            executor.execute(() -> {
                try {
                    ModelMonitor m = model(modelId);
                    if (inputs) {
                        ServedModel slot = slots.get(modelId);
                        for (String t : texts) {
                            m.observe(TextProfile.of(t), t, () -> champion(slot));
                        }
                    }
                    for (Scored s : answers) {
                        m.observeAnswer(version, s.confidence());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Monitoring a request of {} failed: {}", modelId, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            Counter.builder("bulwark.serving.monitor.dropped").tag("model", modelId)
                    .description("Requests the monitor skipped because its queue was full").register(meters)
                    .increment();
        }
    }

    @Override
    public void modelAdded(ServedModel slot) {
        slots.put(slot.modelId(), slot);
        MonitorGauges.register(meters, slot, model(slot.modelId()));
    }

    @Override
    public void loaded(String modelId, long version, long nanos) {
        ServedModel slot = slots.get(modelId);
        if (slot != null) {
            versionGauges.add(slot, model(modelId), version);
        }
    }

    @Override
    public void evicted(String modelId, long version) {
        find(modelId).ifPresent(m -> m.forget(version));
        versionGauges.remove(modelId, version);
    }

    /**
     * Makes the monitor's current window of {@code slot} its reference (an accepted shift), with the champion of this
     * moment as the version of the pooled embeddings.
     */
    public void rebaseline(ServedModel slot) {
        model(slot.modelId()).rebaseline(champion(slot));
    }

    /** The champion's (arm A's) version and pooled embeddings, or null when it has none. */
    static EmbeddingDrift.Reference champion(ServedModel slot) {
        if (slot == null) {
            return null;
        }
        Long v = slot.readExperiment(e -> e.version(Arm.A));
        if (v == null) {
            return null;
        }
        return slot.version(v).flatMap(LoadedVersion::embedder).map(e -> new EmbeddingDrift.Reference(v, e))
                .orElse(null);
    }

    /** The calibration of {@code version} on the model's canary set, or null before it is scored. */
    public static Calibration calibration(ServedModel slot, long version) {
        return Calibration.fit(slot.canary().confidences().answers(version));
    }

    /** The estimate of the version an arm serves, or null when the arm serves none. */
    static ModelMonitor.Estimate armEstimate(ServedModel slot, ModelMonitor m, Arm arm) {
        Long v = slot.readExperiment(e -> e.version(arm));
        return v == null ? null : m.estimate(v, calibration(slot, v));
    }

    /**
     * The monitor's JSON view of a model: the status line with its evidence, the windows, each loaded version's
     * label-free estimate beside its feedback accuracy ({@code feedbackByArm}: arm id to accuracy), and the
     * training-side signals of the reports.
     */
    public Map<String, Object> view(ServedModel slot, Map<String, Double> feedbackByArm) {
        ModelMonitor m = model(slot.modelId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.putAll(m.assess().toView());
        out.put("windows", m.windowsView());
        Map<Long, List<String>> armsOf = new LinkedHashMap<>();
        for (Arm arm : Arm.values()) {
            Long v = slot.readExperiment(e -> e.version(arm));
            if (v != null) {
                armsOf.computeIfAbsent(v, k -> new ArrayList<>()).add(arm.id());
            }
        }
        List<Map<String, Object>> versions = new ArrayList<>();
        for (long v : slot.loadedVersions().descendingSet()) {
            ModelMonitor.Estimate e = m.estimate(v, calibration(slot, v));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", v);
            List<String> arms = armsOf.getOrDefault(v, List.of());
            row.put("arms", arms);
            row.put("answers", e.answers());
            row.put("estimatedAccuracy", finite(e.estimatedAccuracy()));
            row.put("confidencePsi", finite(e.confidencePsi()));
            row.put("confidenceShifted", Double.isFinite(e.confidencePsi())
                    && e.confidencePsi() >= settings.confidencePsi());
            row.put("calibrationExamples", e.calibrationExamples());
            row.put("canaryAccuracy", finite(e.canaryAccuracy()));
            row.put("canaryRobustAccuracy", slot.canary().scores().accuracy(v)
                    .map(a -> finite(a.robustAccuracy())).orElse(null));
            row.put("feedbackAccuracy", arms.isEmpty() ? null : feedbackByArm.get(arms.get(0)));
            row.put("embeddingVersion", Long.valueOf(v).equals(m.embeddingDistance().version()));
            versions.add(row);
        }
        out.put("versions", versions);
        out.put("training", TrainingSignals.view(slot.reports()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("referenceTexts", settings.referenceTexts());
        s.put("windowTexts", settings.windowTexts());
        s.put("minWindowTexts", settings.minWindowTexts());
        s.put("confidencePsi", settings.confidencePsi());
        s.put("embeddingDistance", settings.embeddingDistance());
        out.put("settings", s);
        return out;
    }

    /** Waits until every queued request is profiled (tests). */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (executor.getCompletedTaskCount() == executor.getTaskCount()) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
