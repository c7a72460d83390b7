package io.bulwark.serving;

import io.bulwark.serving.config.ServingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ab.Experiment;
import io.bulwark.serving.ab.FeedbackLog;
import io.bulwark.serving.api.ApiException;
import io.bulwark.serving.api.PredictRequest;
import io.bulwark.serving.metrics.ArmStats;
import io.bulwark.serving.metrics.ServingMetrics;
import io.bulwark.serving.model.ModelClosedException;
import io.bulwark.serving.model.Scored;
import io.bulwark.serving.monitor.ServingMonitor;
import io.bulwark.model.encoding.MurmurHash3;
import io.bulwark.serving.registry.LoadedVersion;
import io.bulwark.serving.registry.ModelRegistry;
import io.bulwark.serving.registry.ServedModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Scores requests through each model's A/B experiment, runs shadow scoring, takes feedback and admin changes. */
public final class ScoringService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);

    private final ModelRegistry registry;
    private final ServingMetrics metrics;
    private final ServingMonitor monitor;
    private final ServingConfig config;
    private final FeedbackLog feedback;
    private final ThreadPoolExecutor shadowExecutor;

    /** Hash seed of the choice of requests mirrored in shadow mode. */
    static final int SHADOW_SEED = 0x5ad0_0001;

    /** Creates the service over {@code registry}; answered requests go to {@code monitor}. */
    public ScoringService(ModelRegistry registry, ServingMetrics metrics, ServingMonitor monitor,
                          ServingConfig config) {
        this.registry = registry;
        this.metrics = metrics;
        this.monitor = monitor;
        this.config = config;
        this.feedback = new FeedbackLog(config.feedbackCapacity());
        AtomicInteger n = new AtomicInteger();
        this.shadowExecutor = new ThreadPoolExecutor(config.shadowThreads(), config.shadowThreads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(config.shadowQueue()), r -> {
                    Thread t = new Thread(r, "bulwark-shadow-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Scores a request through the experiment of {@code modelId}. */
    public Map<String, Object> predict(String modelId, JsonNode body) {
        long t0 = System.nanoTime();
        PredictRequest req = PredictRequest.parse(body, config.maxBatchSize(), config.maxTextChars());
        ServedModel slot = registry.require(modelId);
        String requestId = req.requestId() != null ? req.requestId() : UUID.randomUUID().toString();
        String key = req.key() != null ? req.key() : requestId;
        ServedModel.Target target = slot.route(key, registry.tick());
        long i0 = System.nanoTime();
        List<Scored> scored;
        try {
            scored = target.primary().model().predict(req.texts());
        } catch (ModelClosedException e) {
            // the version was evicted between routing and scoring: route once more
            target = slot.route(key, registry.tick());
            scored = score(target.primary(), req.texts());
        }
        long inferenceNanos = System.nanoTime() - i0;
        LoadedVersion primary = target.primary();
        List<String> labels = scored.stream().map(Scored::label).toList();
        LoadedVersion shadow = target.shadow();
        if (shadow != null) {
            boolean mirrored = mirrored(requestId);
            metrics.shadowSampled(modelId, mirrored);
            shadow = mirrored ? shadow : null;
        }
        FeedbackLog.Entry entry = feedback.remember(modelId, requestId, target.routing().arm(), primary.version(),
                labels, shadow == null ? null : shadow.version());
        if (shadow != null) {
            submitShadow(modelId, shadow, req.texts(), labels, entry);
        }
        monitor.submit(modelId, primary.version(), req.texts(), scored, true);
        Map<String, Object> answer = answer(modelId, requestId, target.routing().arm().id(), primary, req, scored);
        metrics.arm(modelId, target.routing().arm().id()).recordRequest(req.texts().size(), System.nanoTime() - t0,
                inferenceNanos);
        return answer;
    }

    /** Scores a request with one explicit version, outside the experiment (arm "direct"). */
    public Map<String, Object> predictVersion(String modelId, long version, JsonNode body) {
        long t0 = System.nanoTime();
        PredictRequest req = PredictRequest.parse(body, config.maxBatchSize(), config.maxTextChars());
        ServedModel slot = registry.require(modelId);
        LoadedVersion v = slot.use(version, registry.tick()).orElseThrow(() -> ApiException.notFound(
                "model " + modelId + " has no loaded version " + version + " (loaded: " + slot.loadedVersions() + ")"));
        String requestId = req.requestId() != null ? req.requestId() : UUID.randomUUID().toString();
        long i0 = System.nanoTime();
        List<Scored> scored = score(v, req.texts());
        long inferenceNanos = System.nanoTime() - i0;
        Map<String, Object> answer = answer(modelId, requestId, ServingMetrics.DIRECT, v, req, scored);
        metrics.arm(modelId, ServingMetrics.DIRECT).recordRequest(req.texts().size(), System.nanoTime() - t0,
                inferenceNanos);
        return answer;
    }

    /** Records the true label of an earlier request: {@code {"requestId": "...", "label": "...", "index": 0}}. */
    public Map<String, Object> feedback(String modelId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("feedback must be a JSON object with \"requestId\" and \"label\"");
        }
        JsonNode id = body.get("requestId");
        JsonNode label = body.get("label");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw ApiException.badRequest("feedback needs \"requestId\" (the id of the scoring request)");
        }
        if (label == null || !label.isTextual() || label.asText().isBlank()) {
            throw ApiException.badRequest("feedback needs \"label\" (a non-empty string)");
        }
        JsonNode indexNode = body.get("index");
        int index = 0;
        if (indexNode != null && !indexNode.isNull()) {
            if (!indexNode.isInt() || indexNode.asInt() < 0) {
                throw ApiException.badRequest("\"index\" must be a non-negative integer");
            }
            index = indexNode.asInt();
        }
        registry.require(modelId);
        FeedbackLog.Entry e = feedback.take(modelId, id.asText()).orElseThrow(() -> ApiException.notFound(
                "no recent request '" + id.asText() + "' for model " + modelId
                        + " (unknown, already judged, or older than the last " + feedback.capacity() + " requests)"));
        if (index >= e.labels().size()) {
            throw ApiException.badRequest("\"index\" " + index + " is out of range: the request had "
                    + e.labels().size() + " texts");
        }
        String truth = label.asText();
        boolean right = e.labels().get(index).equals(truth);
        metrics.arm(modelId, e.arm().id()).recordFeedback(right);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", id.asText());
        out.put("arm", e.arm().id());
        out.put("version", e.version());
        out.put("predicted", e.labels().get(index));
        out.put("label", truth);
        out.put("correct", right);
        List<String> shadowLabels = e.shadowLabels();
        if (shadowLabels != null) {
            boolean shadowRight = shadowLabels.get(index).equals(truth);
            metrics.arm(modelId, Arm.B.id()).recordFeedback(shadowRight);
            out.put("shadow", Map.of("arm", Arm.B.id(), "version", e.shadowVersion(),
                    "predicted", shadowLabels.get(index), "correct", shadowRight));
        }
        out.put("accuracy", accuracyView(modelId));
        return out;
    }

    /** Sets arm weights: {@code {"A": 90, "B": 10}}. */
    public Map<String, Object> setWeights(String modelId, JsonNode body) {
        double a = number(body, "A");
        double b = number(body, "B");
        return changeExperiment(modelId, (slot, e) -> {
            e.setWeights(a, b, System.currentTimeMillis());
            return null;
        });
    }

    /** Sets what arms serve: {@code {"A": "latest" | 7, "B": 9 | "none"}} (either or both). */
    public Map<String, Object> setArms(String modelId, JsonNode body) {
        if (body == null || !body.isObject() || (!body.has("A") && !body.has("B"))) {
            throw ApiException.badRequest("send {\"A\": \"latest\"|<version>, \"B\": \"latest\"|\"none\"|<version>}");
        }
        Map<Arm, ArmSpec> specs = new LinkedHashMap<>();
        for (Arm arm : Arm.values()) {
            JsonNode n = body.get(arm.id());
            if (n != null) {
                if (!n.isTextual() && !n.isIntegralNumber()) {
                    throw ApiException.badRequest("arm " + arm + " must be \"latest\", \"none\" or a version number");
                }
                try {
                    specs.put(arm, ArmSpec.parse(n.asText()));
                } catch (IllegalArgumentException ex) {
                    throw ApiException.badRequest(ex.getMessage());
                }
            }
        }
        return changeExperiment(modelId, (slot, e) -> {
            for (Map.Entry<Arm, ArmSpec> s : specs.entrySet()) {
                e.setArm(s.getKey(), s.getValue(), slot, System.currentTimeMillis());
            }
            return null;
        });
    }

    /** Turns shadow mode on or off: {@code {"enabled": true}}. */
    public Map<String, Object> setShadow(String modelId, JsonNode body) {
        if (body == null || !body.isObject() || !body.has("enabled") || !body.get("enabled").isBoolean()) {
            throw ApiException.badRequest("send {\"enabled\": true|false}");
        }
        boolean on = body.get("enabled").asBoolean();
        return changeExperiment(modelId, (slot, e) -> {
            e.setShadow(on, System.currentTimeMillis());
            return null;
        });
    }

    /** Promotes B's version to A (409 when the gate refuses, unless {@code {"force": true}}). */
    public Map<String, Object> promote(String modelId, JsonNode body) {
        boolean force = body != null && body.isObject() && body.path("force").asBoolean(false);
        return changeExperiment(modelId, (slot, e) -> e.promote(force, slot, System.currentTimeMillis()));
    }

    /** Makes A serve its previous version, or {@code {"version": 5}}: that loaded version. */
    public Map<String, Object> rollback(String modelId, JsonNode body) {
        if (body == null || (body.isObject() && !body.has("version"))) {
            return changeExperiment(modelId, (slot, e) -> e.rollback(slot, System.currentTimeMillis()));
        }
        JsonNode v = body.get("version");
        if (!body.isObject() || v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw ApiException.badRequest("send nothing (roll back to the previous version) or {\"version\": <loaded version>}");
        }
        return changeExperiment(modelId, (slot, e) -> e.rollbackTo(v.asLong(), slot, System.currentTimeMillis()));
    }

    /** Sets an alias: champion (arm A) or challenger (arm B) to {@code {"version": 7 | "latest" | "none"}}. */
    public Map<String, Object> setAlias(String modelId, String alias, JsonNode body) {
        Arm arm = Experiment.armOfAlias(alias);
        if (arm == null) {
            throw ApiException.badRequest("unknown alias '" + alias + "': use 'champion' (arm A) or 'challenger' (arm B)");
        }
        JsonNode v = body == null || !body.isObject() ? null : body.get("version");
        if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
            throw ApiException.badRequest("send {\"version\": <version> | \"latest\"" + (arm == Arm.B ? " | \"none\"" : "") + "}");
        }
        ArmSpec spec;
        try {
            spec = ArmSpec.parse(v.asText());
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        if (arm == Arm.A && spec.kind() == ArmSpec.Kind.NONE) {
            throw ApiException.badRequest("the champion cannot be 'none'");
        }
        return changeExperiment(modelId, (slot, e) -> {
            e.setArm(arm, spec, slot, System.currentTimeMillis());
            return null;
        });
    }

    /** The aliases of {@code modelId}. */
    public Map<String, Object> aliases(String modelId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelId", modelId);
        out.putAll(registry.require(modelId).readExperiment(Experiment::aliases));
        return out;
    }

    /** The canary set of {@code modelId}: its size and version, each loaded version's scores, the last decision. */
    public Map<String, Object> canary(String modelId) {
        ServedModel slot = registry.require(modelId);
        Map<String, Object> view = slot.toView();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelId", modelId);
        out.put("canary", view.get("canary"));
        List<Map<String, Object>> versions = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> loaded = (List<Map<String, Object>>) view.get("versions");
        for (Map<String, Object> v : loaded) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", v.get("version"));
            row.put("arms", v.get("arms"));
            row.put("scores", v.get("canary"));
            versions.add(row);
        }
        out.put("versions", versions);
        @SuppressWarnings("unchecked")
        Map<String, Object> experiment = (Map<String, Object>) view.get("experiment");
        out.put("aliases", experiment.get("aliases"));
        out.put("gate", experiment.get("gate"));
        return out;
    }

    /** The experiment view of {@code modelId}. */
    public Map<String, Object> experiment(String modelId) {
        ServedModel slot = registry.require(modelId);
        return slot.readExperiment(e -> e.toView());
    }

    /** Per-arm accuracy of {@code modelId}. */
    public Map<String, Object> accuracyView(String modelId) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ArmStats> e : metrics.arms(modelId).entrySet()) {
            double acc = e.getValue().accuracy();
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("accuracy", Double.isNaN(acc) ? null : acc);
            a.put("feedback", e.getValue().feedbackCount());
            m.put(e.getKey(), a);
        }
        return m;
    }

    /** Whether the request {@code requestId} is among the share mirrored in shadow mode (a stable hash of its id). */
    boolean mirrored(String requestId) {
        double share = config.shadowShare();
        return share >= 1 || (share > 0 && MurmurHash3.unitInterval(requestId, SHADOW_SEED) < share);
    }

    /** The monitor's view of {@code modelId}: status line, evidence, windows, estimates, training signals. */
    public Map<String, Object> monitor(String modelId) {
        ServedModel slot = registry.require(modelId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelId", modelId);
        out.putAll(monitor.view(slot, feedbackAccuracy(modelId)));
        return out;
    }

    /**
     * Makes the monitor's current window of {@code modelId} its reference (an accepted shift), with the pooled
     * embeddings taken under the champion of this moment.
     */
    public Map<String, Object> rebaseline(String modelId) {
        monitor.rebaseline(registry.require(modelId));
        return monitor(modelId);
    }

    /** Feedback accuracy by arm id (arms without feedback left out). */
    public Map<String, Double> feedbackAccuracy(String modelId) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, ArmStats> e : metrics.arms(modelId).entrySet()) {
            double acc = e.getValue().accuracy();
            if (Double.isFinite(acc)) {
                m.put(e.getKey(), acc);
            }
        }
        return m;
    }

    /** Request ids remembered for feedback. */
    public int feedbackSize() {
        return feedback.size();
    }

    private interface ExperimentChange {
        Object apply(ServedModel slot, io.bulwark.serving.ab.Experiment e);
    }

    private Map<String, Object> changeExperiment(String modelId, ExperimentChange change) {
        ServedModel slot = registry.require(modelId);
        List<LoadedVersion> evicted = new ArrayList<>();
        Map<String, Object> view = slot.withExperiment(e -> {
            change.apply(slot, e);
            return e.toView();
        }, evicted);
        registry.close(evicted);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelId", modelId);
        out.putAll(view);
        return out;
    }

    private static double number(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("send {\"A\": <weight>, \"B\": <weight>}");
        }
        JsonNode n = body.get(field);
        if (n == null || !n.isNumber()) {
            throw ApiException.badRequest("weight \"" + field + "\" must be a number");
        }
        return n.asDouble();
    }

    private static List<Scored> score(LoadedVersion v, List<String> texts) {
        try {
            return v.model().predict(texts);
        } catch (ModelClosedException e) {
            throw ApiException.unavailable("model " + v.modelId() + " v" + v.version()
                    + " was evicted while the request was routed; retry");
        }
    }

    private void submitShadow(String modelId, LoadedVersion shadow, List<String> texts, List<String> primaryLabels,
                              FeedbackLog.Entry entry) {
        try {
            shadowExecutor.execute(() -> {
                try {
                    long t0 = System.nanoTime();
                    List<Scored> scored = shadow.model().predict(texts);
                    long nanos = System.nanoTime() - t0;
                    List<String> labels = scored.stream().map(Scored::label).toList();
                    entry.shadowLabels(labels);
                    int agree = 0;
                    Iterator<String> it = primaryLabels.iterator();
                    for (String l : labels) {
                        if (l.equals(it.next())) {
                            agree++;
                        }
                    }
                    metrics.arm(modelId, Arm.B.id()).recordShadow(texts.size(), nanos);
                    monitor.submit(modelId, shadow.version(), texts, scored, false);
                    metrics.shadowCompared(modelId, agree, labels.size() - agree);
                    LOG.debug("Shadow {} v{}: {} (A answered {})", modelId, shadow.version(), labels, primaryLabels);
                } catch (RuntimeException e) {
                    LOG.warn("Shadow scoring of {} v{} failed: {}", modelId, shadow.version(), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            metrics.shadowDropped(modelId);
        }
    }

    private static Map<String, Object> answer(String modelId, String requestId, String arm, LoadedVersion v,
                                              PredictRequest req, List<Scored> scored) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelId", modelId);
        out.put("requestId", requestId);
        out.put("arm", arm);
        out.put("version", v.version());
        List<String> labels = v.labels();
        if (req.batch()) {
            List<Map<String, Object>> preds = new ArrayList<>(scored.size());
            for (Scored s : scored) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("label", s.label());
                p.put("probabilities", probabilities(labels, s.probabilities()));
                preds.add(p);
            }
            out.put("predictions", preds);
        } else {
            Scored s = scored.get(0);
            out.put("label", s.label());
            out.put("probabilities", probabilities(labels, s.probabilities()));
        }
        return out;
    }

    private static Map<String, Float> probabilities(List<String> labels, float[] p) {
        Map<String, Float> m = new LinkedHashMap<>();
        for (int i = 0; i < p.length && i < labels.size(); i++) {
            m.put(labels.get(i), p[i]);
        }
        return m;
    }

    /** Waits for queued shadow scorings (tests, shutdown). */
    public boolean awaitShadowIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (shadowExecutor.getQueue().isEmpty() && shadowExecutor.getActiveCount() == 0) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    @Override
    public void close() {
        shadowExecutor.shutdownNow();
    }
}
