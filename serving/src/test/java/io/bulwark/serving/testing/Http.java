package io.bulwark.serving.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON HTTP client for tests. */
public final class Http {

    /** A response: status, raw body, body parsed as JSON (null if not JSON). */
    public record Response(int status, String body, JsonNode json, HttpResponse<String> raw) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    /** A client of the server at {@code base}. */
    public Http(String base) {
        this.base = base;
    }

    /** GET {@code path}. */
    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POST {@code body} (raw text) to {@code path}. */
    public Response post(String path, String body) {
        return post(path, body, null);
    }

    /** POST {@code body} to {@code path} with an optional bearer token. */
    public Response post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    /** Serialises {@code value} as JSON. */
    public static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            try {
                json = MAPPER.readTree(r.body());
            } catch (IOException e) {
                // not JSON
            }
            return new Response(r.statusCode(), r.body(), json, r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
