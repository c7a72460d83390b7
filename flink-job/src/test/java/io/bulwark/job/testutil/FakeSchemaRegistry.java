package io.bulwark.job.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory stand-in for the two schema-registry calls the codec makes (register a schema under a subject, fetch
 * a schema by id), so operator unit tests run without a broker. It can also answer 503 to simulate an outage.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);
    private volatile boolean unavailable;

    private FakeSchemaRegistry(HttpServer server) {
        this.server = server;
    }

    /** Starts a registry on a free port. */
    public static FakeSchemaRegistry start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        FakeSchemaRegistry registry = new FakeSchemaRegistry(server);
        server.createContext("/", registry::handle);
        server.start();
        return registry;
    }

    /** Returns the URL of the registry. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Makes every call fail with HTTP 503 (or succeed again). */
    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (unavailable) {
                reply(ex, 503, "{\"error_code\":50301,\"message\":\"unavailable\"}");
                return;
            }
            String path = ex.getRequestURI().getPath();
            if ("POST".equals(ex.getRequestMethod()) && path.startsWith("/subjects/") && path.endsWith("/versions")) {
                JsonNode body = JSON.readTree(ex.getRequestBody());
                String schema = body.get("schema").asText();
                int id = ids.computeIfAbsent(schema, s -> {
                    int n = next.getAndIncrement();
                    schemas.put(n, s);
                    return n;
                });
                reply(ex, 200, "{\"id\":" + id + "}");
            } else if ("GET".equals(ex.getRequestMethod()) && path.startsWith("/schemas/ids/")) {
                int id = Integer.parseInt(path.substring("/schemas/ids/".length()).split("/")[0]);
                String schema = schemas.get(id);
                if (schema == null) {
                    reply(ex, 404, "{\"error_code\":40403,\"message\":\"Schema " + id + " not found\"}");
                } else {
                    reply(ex, 200, JSON.writeValueAsString(Map.of("schema", schema)));
                }
            } else {
                reply(ex, 404, "{\"error_code\":404,\"message\":\"unsupported\"}");
            }
        } catch (RuntimeException e) {
            reply(ex, 500, "{\"error_code\":500,\"message\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
