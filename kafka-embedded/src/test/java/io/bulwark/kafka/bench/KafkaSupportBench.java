package io.bulwark.kafka.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.bulwark.avro.LabeledText;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the embedded stack: broker start and stop, registry start, registry request latency over HTTP (no
 * client cache), and cached codec encode/decode cost. Prints a table and writes
 * {@code target/bench/kafka-support.json}.
 *
 * <p>Run: {@code mvn -o -q -pl kafka-support test-compile exec:java} (optional args: requests per endpoint,
 * codec iterations).
 */
public final class KafkaSupportBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaSupportBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int codecOps = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Map<String, Object> results = new LinkedHashMap<>();

        long t0 = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start();
        results.put("broker_start_ms", ms(t0));
        try {
            t0 = System.nanoTime();
            SchemaRegistryServer registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
            results.put("registry_start_ms", ms(t0));
            try {
                HttpClient http = HttpClient.newHttpClient();
                String schema = LabeledText.getClassSchema().toString();
                String body = "{\"schema\":" + TextNode.valueOf(schema) + "}";
                // First registration writes to the _schemas topic (acks=all).
                t0 = System.nanoTime();
                String first = post(http, registry.url() + "/subjects/bench-value/versions", body);
                results.put("register_new_schema_ms", ms(t0));
                int id = JSON.readTree(first).get("id").asInt();
                for (int i = 0; i < 50; i++) {
                    post(http, registry.url() + "/subjects/bench-value/versions", body);
                }
                results.put("register_existing_us", latencies(requests,
                        () -> post(http, registry.url() + "/subjects/bench-value/versions", body)));
                results.put("get_schema_by_id_us", latencies(requests,
                        () -> get(http, registry.url() + "/schemas/ids/" + id + "?fetchMaxId=false&subject=")));
                results.put("lookup_under_subject_us", latencies(requests,
                        () -> post(http, registry.url() + "/subjects/bench-value", body)));
                results.put("get_latest_version_us", latencies(requests,
                        () -> get(http, registry.url() + "/subjects/bench-value/versions/latest")));
                // Each new subject with a new compatible schema is a write to Kafka.
                String[] fresh = new String[Math.min(requests, 100)];
                for (int i = 0; i < fresh.length; i++) {
                    fresh[i] = "{\"schema\":" + TextNode.valueOf(schema.replace("LabeledText", "Bench" + i)) + "}";
                }
                int[] n = {0};
                results.put("register_new_schema_us", latencies(fresh.length,
                        () -> post(http, registry.url() + "/subjects/bench-new-" + n[0] + "/versions",
                                fresh[n[0]++])));

                AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                        RegistryConfig.builder().setUrl(registry.url()).build());
                LabeledText record = LabeledText.newBuilder().setId("e-1").setText("a short message to classify")
                        .setLabel("ham").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
                byte[] bytes = codec.encode("bench", record);
                codec.decode("bench", bytes);
                for (int i = 0; i < codecOps / 10; i++) {
                    codec.decode("bench", codec.encode("bench", record));
                }
                t0 = System.nanoTime();
                for (int i = 0; i < codecOps; i++) {
                    bytes = codec.encode("bench", record);
                }
                results.put("codec_encode_ns_per_record", (System.nanoTime() - t0) / codecOps);
                t0 = System.nanoTime();
                for (int i = 0; i < codecOps; i++) {
                    record = codec.decode("bench", bytes);
                }
                results.put("codec_decode_ns_per_record", (System.nanoTime() - t0) / codecOps);
                results.put("codec_record_bytes", bytes.length);
                codec.close();
            } finally {
                registry.close();
            }
        } finally {
            t0 = System.nanoTime();
            kafka.close();
            results.put("broker_stop_ms", ms(t0));
        }
        results.put("requests_per_endpoint", requests);
        results.put("cores", Runtime.getRuntime().availableProcessors());

        System.out.println();
        System.out.printf("%-28s %s%n", "metric", "value");
        for (Map.Entry<String, Object> e : results.entrySet()) {
            System.out.printf("%-28s %s%n", e.getKey(), e.getValue());
        }
        // target/test-classes -> target/bench, whatever the working directory.
        Path target = Path.of(KafkaSupportBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent();
        Path out = target.resolve("bench").resolve("kafka-support.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private interface Request {
        void run() throws Exception;
    }

    private static ObjectNode latencies(int count, Request request) throws Exception {
        long[] us = new long[count];
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            request.run();
            us[i] = (System.nanoTime() - t) / 1000;
        }
        Arrays.sort(us);
        ObjectNode node = JSON.createObjectNode();
        node.put("p50", us[count / 2]);
        node.put("p95", us[(int) (count * 0.95)]);
        node.put("p99", us[Math.min(count - 1, (int) (count * 0.99))]);
        node.put("max", us[count - 1]);
        node.put("mean", Arrays.stream(us).average().orElse(0));
        return node;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String get(HttpClient http, String url) throws Exception {
        return check(http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static String post(HttpClient http, String url, String body) throws Exception {
        return check(http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static String check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.uri() + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
