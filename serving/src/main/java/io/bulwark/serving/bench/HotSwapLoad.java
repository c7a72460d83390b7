package io.bulwark.serving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.config.ServingConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * A bounded load test on loopback: {@code clients} threads send {@code requestsPerClient} scoring requests each
 * (so it stops by itself) while new versions are offered to the server every {@code swapEvery}, so versions load,
 * take over arm A and are evicted under load. Counts every answer by HTTP status and the versions that answered.
 */
public final class HotSwapLoad {

    /** Settings of one run. */
    public record Settings(int clients, int requestsPerClient, Duration swapEvery, Duration requestTimeout) {}

    /**
     * What the clients saw: answers by status (transport failures and time-outs under {@code -1}), latency of the
     * 200 answers, versions that answered, versions published, and 503 answers without a Retry-After header.
     */
    public record Result(int clients, long requests, Map<Integer, Long> statuses, double p50Millis, double p99Millis,
                         double maxMillis, double seconds, Map<Long, Long> versionsServed, long versionsPublished,
                         long unavailableWithoutRetryAfter, List<String> samples) {

        /** Answers that are neither 200 nor 503 (the load test requires none). */
        public long errors() {
            return statuses.entrySet().stream().filter(e -> e.getKey() != 200 && e.getKey() != 503)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /** 503 answers (overload, a version evicted mid-request). */
        public long unavailable() {
            return statuses.getOrDefault(503, 0L);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HotSwapLoad() {}

    /**
     * Runs the load against {@code server}'s model {@code modelId} while offering {@code versions} one by one (the
     * first should already be loaded); returns when every client has sent its requests.
     */
    public static Result run(ServingServer server, String modelId, List<ModelSnapshot> versions, List<String> texts,
                             Settings s) throws Exception {
        URI uri = URI.create(server.url() + "/v1/models/" + modelId + "/predict");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        Map<Long, LongAdder> served = new ConcurrentHashMap<>();
        AtomicLong missingRetryAfter = new AtomicLong();
        List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong published = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(s.clients() + 1);
        long t0 = System.nanoTime();
        try {
            List<Future<Histogram>> clients = new ArrayList<>();
            for (int c = 0; c < s.clients(); c++) {
                int id = c;
                clients.add(pool.submit(() -> client(client, uri, texts, id, s, statuses, served, missingRetryAfter,
                        samples)));
            }
            Future<?> publisher = pool.submit(() -> {
                for (ModelSnapshot v : versions) {
                    boolean running = clients.stream().anyMatch(f -> !f.isDone());
                    if (!running) {
                        break;
                    }
                    server.offer(v);
                    published.incrementAndGet();
                    try {
                        Thread.sleep(s.swapEvery().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            Histogram all = new Histogram(3);
            for (Future<Histogram> f : clients) {
                all.add(f.get());
            }
            publisher.cancel(true);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<Integer, Long> byStatus = new TreeMap<>();
            statuses.forEach((k, v) -> byStatus.put(k, v.sum()));
            Map<Long, Long> byVersion = new TreeMap<>();
            served.forEach((k, v) -> byVersion.put(k, v.sum()));
            long requests = byStatus.values().stream().mapToLong(Long::longValue).sum();
            return new Result(s.clients(), requests, byStatus, all.getValueAtPercentile(50) / 1000.0,
                    all.getValueAtPercentile(99) / 1000.0, all.getMaxValue() / 1000.0, seconds, byVersion,
                    published.get(), missingRetryAfter.get(), List.copyOf(samples));
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts a server with {@code config}, loads the first of {@code versions}, and runs the load while the others
     * are offered one by one.
     */
    public static Result serveAndRun(ServingConfig config, String modelId, List<ModelSnapshot> versions,
                                     List<String> texts, Settings s) throws Exception {
        try (ServingServer server = ServingServer.start(config)) {
            ModelSnapshot first = versions.get(0);
            server.offer(first);
            long deadline = System.currentTimeMillis() + 120_000;
            while (server.registry().find(modelId).flatMap(m -> m.version(first.getVersion())).isEmpty()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(modelId + " v" + first.getVersion() + " did not load in 120 s");
                }
                Thread.sleep(20);
            }
            return run(server, modelId, versions.subList(1, versions.size()), texts, s);
        }
    }

    /** The results as an aligned text table. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
                "%-16s %8s %7s %6s %7s %8s %8s %8s %8s %9s%n", "hot swap", "requests", "200", "503", "errors",
                "p50 ms", "p99 ms", "max ms", "seconds", "versions"));
        for (Result r : results) {
            sb.append(String.format(java.util.Locale.ROOT, "%-16s %8d %7d %6d %7d %8.2f %8.2f %8.2f %8.1f %4d/%-4d%n",
                    "clients x" + r.clients(), r.requests(), r.statuses().getOrDefault(200, 0L), r.unavailable(),
                    r.errors(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.seconds(), r.versionsServed().size(),
                    r.versionsPublished() + 1));
        }
        return sb.toString();
    }

    private static Histogram client(HttpClient client, URI uri, List<String> texts, int id, Settings s,
                                    Map<Integer, LongAdder> statuses, Map<Long, LongAdder> served,
                                    AtomicLong missingRetryAfter, List<String> samples) throws Exception {
        Histogram h = new Histogram(3);
        for (int i = 0; i < s.requestsPerClient(); i++) {
            String text = texts.get(Math.floorMod(id * 131 + i * 7, texts.size()));
            String body = MAPPER.writeValueAsString(Map.of("text", text, "key", "client-" + id + "-" + i));
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(s.requestTimeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            long t0 = System.nanoTime();
            int status;
            try {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                if (status == 200) {
                    h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                    JsonNode json = MAPPER.readTree(r.body());
                    served.computeIfAbsent(json.path("version").asLong(), k -> new LongAdder()).increment();
                } else {
                    if (status == 503 && r.headers().firstValue("Retry-After").isEmpty()) {
                        missingRetryAfter.incrementAndGet();
                    }
                    if (samples.size() < 10) {
                        samples.add(status + " " + r.body());
                    }
                }
            } catch (java.io.IOException e) {
                status = -1; // no answer within the client's time-out, or the connection failed
                if (samples.size() < 10) {
                    samples.add("-1 " + e);
                }
            }
            statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
        }
        return h;
    }
}
