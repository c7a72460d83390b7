package io.bulwark.serving.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.model.ScoringModel;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.serving.model.InferenceLimits;
import io.bulwark.serving.model.InferenceScoringModel;
import io.bulwark.serving.registry.LoadedVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;

/**
 * Measures scoring latency (p50/p99) and throughput of the HTTP server against an in-process load generator on
 * loopback, for single and batched requests, beside the bare model's inference time on the same texts.
 */
public final class ServingBenchmark {

    /** Settings of one benchmark run. */
    public record Settings(List<Integer> clients, List<Integer> batchSizes, Duration duration, long maxRequests,
                           Duration warmup, int inferenceBatchTexts, Path outputDir) {}

    /** Numbers of one scenario. */
    public record Result(String scenario, int clients, int batchSize, long requests, long errors, double seconds,
                         double p50Millis, double p99Millis, double maxMillis, double requestsPerSecond,
                         double textsPerSecond, double serverMeanMillis, double serverInferenceMeanMillis,
                         double bareP50Millis, double bareP99Millis, double bareMeanMillis,
                         double bareCallsPerSecond) {}

    private static final String MODEL_ID = "bench";
    private final Settings settings;
    private final ObjectMapper mapper = new ObjectMapper();

    /** Creates a benchmark with {@code settings}. */
    public ServingBenchmark(Settings settings) {
        this.settings = settings;
    }

    /** Runs every scenario against a server serving {@code snapshot}; writes the table and JSON; returns results. */
    public List<Result> run(ModelSnapshot snapshot, List<String> texts, Map<String, Object> about) throws Exception {
        about.put("loadAverageBefore", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        ServingConfig config = ServingConfig.builder().optPort(0).optMaxVersionsPerModel(2)
                .optLimits(16L << 20, 1024, 100_000).optInferenceBatchTexts(settings.inferenceBatchTexts()).build();
        List<Result> results = new ArrayList<>();
        try (ServingServer server = ServingServer.start(config)) {
            server.offer(snapshot);
            awaitLoaded(server, snapshot.getVersion());
            // the bare model: the same snapshot loaded apart, called directly on this thread
            ScoringModel model = new InferenceScoringModel(Snapshots.forInference(snapshot, "cpu"), "bare",
                    InferenceLimits.DEFAULTS);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(2, r -> {
                        Thread t = new Thread(r, "bench-http");
                        t.setDaemon(true);
                        return t;
                    }))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create(server.url() + "/v1/models/" + MODEL_ID + "/predict");
            try {
                for (int batch : settings.batchSizes()) {
                    double[] bare = bare(model, texts, batch);
                    for (int c : settings.clients()) {
                        results.add(load(server, client, uri, texts, batch, c, bare));
                    }
                }
            } finally {
                model.close();
            }
        }
        about.put("loadAverageAfter", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        write(results, about);
        return results;
    }

    private static LoadedVersion awaitLoaded(ServingServer server, long version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            var slot = server.registry().find(MODEL_ID);
            if (slot.isPresent()) {
                var v = slot.get().version(version);
                if (v.isPresent()) {
                    return v.get();
                }
                if (!slot.get().refused().isEmpty()) {
                    throw new IllegalStateException("snapshot refused: " + slot.get().refused().get(0).reason());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("snapshot did not load within 120 s");
    }

    /** The bare model, one caller: [p50 ms, p99 ms, mean ms, calls/s] over the same batches the clients send. */
    private double[] bare(ScoringModel model, List<String> texts, int batch) {
        long end = System.nanoTime() + settings.warmup().toNanos();
        int at = 0;
        while (System.nanoTime() < end) {
            model.predict(slice(texts, at++, batch));
        }
        Histogram h = new Histogram(3);
        long start = System.nanoTime();
        end = start + settings.duration().toNanos();
        long calls = 0;
        while (System.nanoTime() < end && calls < settings.maxRequests()) {
            List<String> in = slice(texts, at++, batch);
            long t0 = System.nanoTime();
            model.predict(in);
            h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            calls++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new double[] {h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getMean() / 1000.0, calls / seconds};
    }

    private Result load(ServingServer server, HttpClient client, URI uri, List<String> texts, int batch, int clients,
                        double[] bare) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < Math.min(texts.size(), 256); i++) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (batch == 1) {
                body.put("text", texts.get(i));
            } else {
                body.put("texts", slice(texts, i, batch));
            }
            body.put("key", "user-" + i);
            bodies.add(mapper.writeValueAsString(body));
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            runClients(pool, client, uri, bodies, clients, settings.warmup(), Long.MAX_VALUE, null, new AtomicLong());
            Histogram total = new Histogram(3);
            AtomicLong errors = new AtomicLong();
            Timer serverLatency = server.metrics().registry().find("bulwark.serving.request.latency")
                    .tag("model", MODEL_ID).tag("arm", "A").timer();
            Timer serverInference = server.metrics().registry().find("bulwark.serving.inference.latency")
                    .tag("model", MODEL_ID).tag("arm", "A").timer();
            long n0 = serverLatency.count();
            double l0 = serverLatency.totalTime(TimeUnit.MILLISECONDS);
            double i0 = serverInference.totalTime(TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            long requests = runClients(pool, client, uri, bodies, clients, settings.duration(), settings.maxRequests(),
                    total, errors);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long served = Math.max(1, serverLatency.count() - n0);
            double serverMean = (serverLatency.totalTime(TimeUnit.MILLISECONDS) - l0) / served;
            double inferenceMean = (serverInference.totalTime(TimeUnit.MILLISECONDS) - i0) / served;
            String name = (batch == 1 ? "single" : "batch-" + batch) + " x" + clients;
            return new Result(name, clients, batch, requests, errors.get(), seconds,
                    total.getValueAtPercentile(50) / 1000.0, total.getValueAtPercentile(99) / 1000.0,
                    total.getMaxValue() / 1000.0, requests / seconds, requests * (double) batch / seconds,
                    serverMean, inferenceMean, bare[0], bare[1], bare[2], bare[3]);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long runClients(ExecutorService pool, HttpClient client, URI uri, List<String> bodies, int clients,
                                   Duration duration, long maxRequests, Histogram into, AtomicLong errors)
            throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong issued = new AtomicLong();
        List<Future<Histogram>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int offset = c * 31;
            futures.add(pool.submit(() -> {
                Histogram h = new Histogram(3);
                int i = offset;
                while (System.nanoTime() < end && issued.incrementAndGet() <= maxRequests) {
                    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i++ % bodies.size()),
                                    StandardCharsets.UTF_8))
                            .build();
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    long micros = Math.max(1, (System.nanoTime() - t0) / 1000);
                    if (resp.statusCode() != 200) {
                        errors.incrementAndGet();
                    } else {
                        h.recordValue(micros);
                    }
                }
                return h;
            }));
        }
        long total = 0;
        for (Future<Histogram> f : futures) {
            Histogram h = f.get();
            total += h.getTotalCount();
            if (into != null) {
                into.add(h);
            }
        }
        return total + (errors == null ? 0 : errors.get());
    }

    private static List<String> slice(List<String> texts, int start, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(texts.get(Math.floorMod(start * 7 + i, texts.size())));
        }
        return out;
    }

    /** The results as an aligned text table. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "%-14s %8s %6s %8s %8s %9s %9s | %9s %9s | %8s %8s %9s %10s | %9s%n",
                "scenario", "requests", "errors", "p50 ms", "p99 ms", "req/s", "texts/s",
                "srv mean", "srv infer", "bare p50", "bare p99", "bare mean", "bare call/s", "ovh p50"));
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT,
                    "%-14s %8d %6d %8.3f %8.3f %9.1f %9.1f | %9.3f %9.3f | %8.3f %8.3f %9.3f %10.1f | %9.3f%n",
                    r.scenario(), r.requests(), r.errors(), r.p50Millis(), r.p99Millis(), r.requestsPerSecond(),
                    r.textsPerSecond(), r.serverMeanMillis(), r.serverInferenceMeanMillis(), r.bareP50Millis(),
                    r.bareP99Millis(), r.bareMeanMillis(), r.bareCallsPerSecond(), r.p50Millis() - r.bareP50Millis()));
        }
        return sb.toString();
    }

    private void write(List<Result> results, Map<String, Object> about) throws IOException {
        Files.createDirectories(settings.outputDir());
        Map<String, Object> doc = new LinkedHashMap<>(about);
        doc.put("settings", settings.toString());
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("java", System.getProperty("java.version"));
        doc.put("results", results);
        mapper.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(settings.outputDir().resolve("serving-bench.json").toFile(), doc);
        Files.writeString(settings.outputDir().resolve("serving-bench.txt"), table(results));
    }

    /** {@code bench}: the command line of the benchmark. */
    @CommandLine.Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Measure scoring latency and throughput over loopback HTTP beside the bare model.")
    public static final class Command implements Callable<Integer> {
        @CommandLine.Option(names = "--clients", split = ",", defaultValue = "1,4",
                description = "Concurrent client threads per scenario (default: ${DEFAULT-VALUE}).")
        List<Integer> clients;
        @CommandLine.Option(names = "--batch-sizes", split = ",", defaultValue = "1,32",
                description = "Texts per request; 1 sends {\"text\"}, more send {\"texts\"} (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;
        @CommandLine.Option(names = "--seconds", defaultValue = "8",
                description = "Measured seconds per scenario (default: ${DEFAULT-VALUE}).")
        int seconds;
        @CommandLine.Option(names = "--warmup-seconds", defaultValue = "5",
                description = "Unmeasured warm-up seconds per scenario (default: ${DEFAULT-VALUE}).")
        int warmupSeconds;
        @CommandLine.Option(names = "--max-requests", defaultValue = "50000",
                description = "Request cap per scenario (default: ${DEFAULT-VALUE}).")
        long maxRequests;
        @CommandLine.Option(names = "--inference-batch", defaultValue = "64",
                description = "Server setting: most texts one forward pass merges; 0 = no inference thread "
                        + "(default: ${DEFAULT-VALUE}).")
        int inferenceBatch;
        @CommandLine.Option(names = "--train-batches", defaultValue = "30",
                description = "Batches the benchmark model trains before it is served (default: ${DEFAULT-VALUE}).")
        int trainBatches;
        @CommandLine.Option(names = "--hot-swap-clients", split = ",", defaultValue = "4,16",
                description = "Hot-swap load test: concurrent clients per run; empty = skip (default: ${DEFAULT-VALUE}).")
        List<Integer> hotSwapClients;
        @CommandLine.Option(names = "--hot-swap-requests", defaultValue = "250",
                description = "Hot-swap load test: requests per client, so each run stops by itself "
                        + "(default: ${DEFAULT-VALUE}).")
        int hotSwapRequests;
        @CommandLine.Option(names = "--hot-swap-versions", defaultValue = "12",
                description = "Hot-swap load test: versions offered during each run (default: ${DEFAULT-VALUE}).")
        int hotSwapVersions;
        @CommandLine.Option(names = "--hot-swap-every-ms", defaultValue = "300",
                description = "Hot-swap load test: milliseconds between two versions (default: ${DEFAULT-VALUE}).")
        long hotSwapEveryMillis;
        @CommandLine.Option(names = "--memory-versions", defaultValue = "4",
                description = "Versions of the default learner loaded side by side to measure memory per version, "
                        + "full and inference-only; 0 = skip (default: ${DEFAULT-VALUE}).")
        int memoryVersions;
        @CommandLine.Option(names = "--out", description = "Output directory (default: serving/target/bench, "
                + "or target/bench when run inside serving/).")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path dir = out != null ? out
                    : Files.isDirectory(Path.of("serving")) ? Path.of("serving", "target", "bench")
                    : Path.of("target", "bench");
            List<Example> examples = BenchModels.examples(7, 2_000);
            List<String> texts = examples.stream().map(Example::text).toList();
            ModelSnapshot snapshot;
            ModelSnapshot later;
            Map<String, Object> about = new LinkedHashMap<>();
            try (Learner learner = BenchModels.newLearner(7)) {
                BenchModels.train(learner, examples, trainBatches);
                snapshot = BenchModels.snapshot(learner, MODEL_ID, 1);
                BenchModels.train(learner, examples, 10);
                later = BenchModels.snapshot(learner, MODEL_ID, 2);
                about.put("model", learner.config().toMap());
            }
            StringBuilder extra = new StringBuilder();
            if (memoryVersions > 0) {
                List<VersionMemory.Result> memory = List.of(
                        VersionMemory.measure("default (FreeAT, wide side)",
                                BenchModels.defaultSnapshot(examples, 8, 0), memoryVersions),
                        VersionMemory.measure("default + teacher (--bregman 0.5)",
                                BenchModels.defaultSnapshot(examples, 8, 0.5), memoryVersions));
                about.put("memoryPerVersion", memory);
                extra.append(VersionMemory.table(memory));
            }
            List<HotSwapLoad.Result> swaps = new ArrayList<>();
            for (int c : hotSwapClients) {
                List<ModelSnapshot> versions = new ArrayList<>();
                for (int v = 1; v <= hotSwapVersions + 1; v++) {
                    versions.add(ModelSnapshot.newBuilder(v % 2 == 1 ? snapshot : later).setVersion(v).build());
                }
                ServingConfig config = ServingConfig.builder().optPort(0).optMaxVersionsPerModel(2)
                        .optGate(1.0, false).optInferenceBatchTexts(inferenceBatch).build();
                swaps.add(HotSwapLoad.serveAndRun(config, MODEL_ID, versions, texts, new HotSwapLoad.Settings(c,
                        hotSwapRequests, Duration.ofMillis(hotSwapEveryMillis), Duration.ofSeconds(60))));
            }
            if (!swaps.isEmpty()) {
                about.put("hotSwap", swaps);
                extra.append(HotSwapLoad.table(swaps));
            }
            about.put("texts", texts.size());
            about.put("meanTextChars", texts.stream().mapToInt(String::length).average().orElse(0));
            ServingBenchmark bench = new ServingBenchmark(new Settings(clients, batchSizes,
                    Duration.ofSeconds(seconds), maxRequests, Duration.ofSeconds(warmupSeconds), inferenceBatch, dir));
            List<Result> results = bench.run(snapshot, texts, about);
            System.out.print(table(results));
            System.out.print(extra);
            Files.writeString(dir.resolve("serving-bench.txt"), table(results) + extra);
            System.out.printf(Locale.ROOT, "load average %.1f before, %.1f after (%d cores)%n",
                    (Double) about.get("loadAverageBefore"), (Double) about.get("loadAverageAfter"),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("Written to " + dir.resolve("serving-bench.json") + " and serving-bench.txt");
            return 0;
        }
    }
}
