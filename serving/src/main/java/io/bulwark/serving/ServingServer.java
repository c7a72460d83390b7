package io.bulwark.serving;

import io.bulwark.serving.config.ServingConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.model.snapshot.SnapshotFiles;
import io.bulwark.serving.ab.RobustnessGate;
import io.bulwark.serving.ab.GateConfig;
import io.bulwark.serving.api.ApiException;
import io.bulwark.serving.dashboard.DashboardData;
import io.bulwark.serving.error.ServingException;
import io.bulwark.serving.intake.SnapshotIntake;
import io.bulwark.serving.metrics.ServingMetrics;
import io.bulwark.serving.model.LearnerSnapshotLoader;
import io.bulwark.serving.model.SnapshotLoader;
import io.bulwark.serving.monitor.ServingMonitor;
import io.bulwark.serving.registry.ModelRegistry;
import io.bulwark.serving.registry.RegistryListener;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving process: HTTP scoring API, admin API, Prometheus metrics and dashboard (Javalin on Jetty), fed by
 * Kafka snapshot intake and/or snapshot files. Embeddable: {@code try (ServingServer s = ServingServer.start(cfg))}.
 */
public final class ServingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);
    private static final String JSON = "application/json";

    private final ServingConfig config;
    private final ServingMetrics metrics;
    private final ServingMonitor monitor;
    private final ModelRegistry registry;
    private final ScoringService service;
    private final SnapshotIntake intake;
    private final DashboardData dashboard;
    private final ObjectMapper mapper;
    private final Javalin app;
    private final byte[] adminToken;
    private final long startedAt = System.currentTimeMillis();

    private ServingServer(ServingConfig config) {
        this.config = config;
        this.mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
        this.metrics = new ServingMetrics(config.sampleMillis());
        this.monitor = new ServingMonitor(config.monitor(), metrics.registry());
        SnapshotLoader loader = config.loader() != null ? config.loader() : new LearnerSnapshotLoader(config.device(), config.inferenceBatchTexts(),
                config.inferenceLimits());
        this.registry = new ModelRegistry(loader, new ModelRegistry.Settings(config.maxVersionsPerModel(),
                config.maxReportsPerModel(), config.loaderThreads(), config.armA(), config.armB(), config.weightA(),
                config.weightB(), config.shadow(),
                new RobustnessGate(new GateConfig(config.gateMargin(), config.gateRequireReport(),
                        config.gateMinExamples(), config.gateConfidence())), config.canary()),
                RegistryListener.all(metrics, monitor));
        this.service = new ScoringService(registry, metrics, monitor, config);
        this.dashboard = new DashboardData(registry, metrics, monitor, config.shadowShare());
        this.adminToken = config.adminToken() == null ? null : config.adminToken().getBytes(StandardCharsets.UTF_8);
        this.intake = config.bootstrapServers() == null ? null : new SnapshotIntake(config, registry);
        this.app = createApp();
    }

    /** Starts the server: binds the HTTP port, loads snapshot files, starts Kafka intake. */
    public static ServingServer start(ServingConfig config) {
        ServingServer server = new ServingServer(config);
        try {
            server.app.start(config.host(), config.port());
            for (Path file : config.snapshotFiles()) {
                server.loadFile(file);
            }
            if (server.intake != null) {
                server.intake.start();
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("Bulwark serving on http://{}:{}/ (Kafka intake: {})", config.host(), server.port(),
                config.bootstrapServers() == null ? "off" : config.bootstrapServers());
        return server;
    }

    /** The bound HTTP port. */
    public int port() {
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        return "http://" + (config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host()) + ":" + port();
    }

    /** Offers a snapshot directly (without Kafka); it loads in the background. */
    public void offer(ModelSnapshot snapshot) {
        registry.offer(snapshot);
    }

    /** Offers a robustness report directly (without Kafka). */
    public void offerReport(RobustnessReport report) {
        registry.offerReport(report);
    }

    /** The model registry. */
    public ModelRegistry registry() {
        return registry;
    }

    /** The scoring service. */
    public ScoringService service() {
        return service;
    }

    /** The input and answer monitor. */
    public ServingMonitor monitor() {
        return monitor;
    }

    /** The metrics. */
    public ServingMetrics metrics() {
        return metrics;
    }

    private void loadFile(Path file) {
        try {
            List<ModelSnapshot> snapshots = SnapshotFiles.readAll(file);
            snapshots.forEach(registry::offer);
            LOG.info("Queued {} snapshot(s) from {}", snapshots.size(), file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read snapshot file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The HTTP status of a domain error. */
    static int status(ServingException.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    private Javalin createApp() {
        Javalin javalin = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.jsonMapper(new JavalinJackson(mapper, false));
            c.staticFiles.enableWebjars();
            c.staticFiles.add(s -> {
                s.hostedPath = "/static";
                s.directory = "/dashboard";
                s.location = Location.CLASSPATH;
            });
        });
        javalin.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        javalin.exception(ServingException.class, (e, ctx) -> {
            if (e.retryAfterSeconds() != null) {
                ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
            }
            error(ctx, status(e.reason()), e.getMessage());
        });
        javalin.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        javalin.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });
        javalin.before("/v1/admin/*", this::authorize);

        javalin.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("/dashboard/index.html")));
        javalin.get("/favicon.ico", ctx -> ctx.status(204));
        javalin.get("/healthz", ctx -> ctx.json(health()));
        javalin.get("/readyz", ctx -> {
            Map<String, Object> h = health();
            ctx.status(Boolean.TRUE.equals(h.get("ready")) ? 200 : 503).json(h);
        });
        javalin.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        javalin.get("/v1/models", ctx -> ctx.json(models()));
        javalin.get("/v1/models/{modelId}", ctx -> ctx.json(registry.require(ctx.pathParam("modelId")).toView()));
        javalin.get("/v1/models/{modelId}/canary", ctx -> ctx.json(service.canary(ctx.pathParam("modelId"))));
        javalin.get("/v1/models/{modelId}/aliases", ctx -> ctx.json(service.aliases(ctx.pathParam("modelId"))));
        javalin.get("/v1/models/{modelId}/monitor", ctx -> ctx.json(service.monitor(ctx.pathParam("modelId"))));
        javalin.post("/v1/admin/models/{modelId}/monitor/rebaseline",
                ctx -> ctx.json(service.rebaseline(ctx.pathParam("modelId"))));
        javalin.get("/v1/dashboard", ctx -> ctx.json(dashboard.build(ctx.queryParam("model"))));
        javalin.post("/v1/models/{modelId}/predict",
                ctx -> ctx.json(service.predict(ctx.pathParam("modelId"), body(ctx))));
        javalin.post("/v1/models/{modelId}/versions/{version}/predict",
                ctx -> ctx.json(service.predictVersion(ctx.pathParam("modelId"), version(ctx), body(ctx))));
        javalin.post("/v1/models/{modelId}/feedback",
                ctx -> ctx.json(service.feedback(ctx.pathParam("modelId"), body(ctx))));
        javalin.post("/v1/admin/models/{modelId}/weights",
                ctx -> ctx.json(service.setWeights(ctx.pathParam("modelId"), body(ctx))));
        javalin.post("/v1/admin/models/{modelId}/arms",
                ctx -> ctx.json(service.setArms(ctx.pathParam("modelId"), body(ctx))));
        javalin.post("/v1/admin/models/{modelId}/shadow",
                ctx -> ctx.json(service.setShadow(ctx.pathParam("modelId"), body(ctx))));
        javalin.post("/v1/admin/models/{modelId}/promote",
                ctx -> ctx.json(service.promote(ctx.pathParam("modelId"), optionalBody(ctx))));
        javalin.post("/v1/admin/models/{modelId}/rollback",
                ctx -> ctx.json(service.rollback(ctx.pathParam("modelId"), optionalBody(ctx))));
        javalin.post("/v1/admin/models/{modelId}/aliases/{alias}",
                ctx -> ctx.json(service.setAlias(ctx.pathParam("modelId"), ctx.pathParam("alias"), body(ctx))));
        javalin.after(ctx -> {
            if (ctx.statusCode() >= 400) {
                metrics.error(routeOf(ctx), ctx.statusCode());
            }
        });
        return javalin;
    }

    private static String routeOf(Context ctx) {
        try {
            String p = ctx.endpointHandlerPath();
            return p == null || p.isEmpty() || p.equals("*") ? "unmatched" : p;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    private void authorize(Context ctx) {
        if (adminToken == null) {
            throw new ApiException(403, "the admin API is disabled: start the server with an admin token");
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"bulwark-admin\"");
            throw new ApiException(401, "admin endpoints need an 'Authorization: Bearer <token>' header");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, adminToken)) {
            throw new ApiException(403, "the bearer token is not the admin token");
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        int loaded = registry.slots().stream().mapToInt(s -> s.loadedCount()).sum();
        m.put("status", intake != null && intake.state() == SnapshotIntake.State.FAILED ? "degraded" : "ok");
        m.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
        m.put("models", registry.slots().size());
        m.put("loadedVersions", loaded);
        m.put("pendingLoads", registry.pendingLoads());
        m.put("ready", loaded > 0);
        m.put("intake", intake == null ? Map.of("state", "off") : intake.status());
        return m;
    }

    private Map<String, Object> models() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", registry.slots().stream().map(s -> s.toView()).toList());
        m.put("undecodable", registry.undecodable());
        return m;
    }

    private static long version(Context ctx) {
        String v = ctx.pathParam("version");
        String digits = v.startsWith("v") ? v.substring(1) : v;
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("version must be a number, got '" + v + "'");
        }
    }

    private JsonNode optionalBody(Context ctx) {
        byte[] bytes = readBody(ctx);
        return bytes.length == 0 ? null : parse(bytes);
    }

    private JsonNode body(Context ctx) {
        byte[] bytes = readBody(ctx);
        if (bytes.length == 0) {
            throw ApiException.badRequest("request body is empty; send a JSON object");
        }
        return parse(bytes);
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body: " + e.getMessage());
        }
    }

    /** Reads the body, refusing more than the configured limit with 413 before reading it all. */
    private byte[] readBody(Context ctx) {
        long limit = config.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw ApiException.tooLarge("request body of " + declared + " bytes exceeds the limit of " + limit + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), limit));
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw ApiException.tooLarge("request body exceeds the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    private void error(Context ctx, int status, String message) {
        if (status == 503 && ctx.res().getHeader("Retry-After") == null) {
            // every 503 says when to come back: no version loaded yet, a version evicted mid-request, overload
            ctx.header("Retry-After", Integer.toString(config.inferenceLimits().retryAfterSeconds()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        ctx.status(status).json(body);
    }

    private static byte[] resource(String path) {
        try (InputStream in = ServingServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new ApiException(500, "resource " + path + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ApiException(500, "cannot read " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (intake != null) {
            intake.close();
        }
        app.stop();
        service.close();
        monitor.close();
        registry.close();
        metrics.close();
    }
}
