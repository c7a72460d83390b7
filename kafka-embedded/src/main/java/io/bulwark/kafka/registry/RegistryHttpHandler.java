package io.bulwark.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Routes the Confluent Schema Registry REST API (the subset clients use) onto a {@link SchemaStore}. */
final class RegistryHttpHandler implements HttpHandler {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final SchemaStore store;
    private final byte[] expectedAuthorization;

    RegistryHttpHandler(SchemaStore store, String basicAuthUserInfo) {
        this.store = store;
        this.expectedAuthorization = basicAuthUserInfo == null ? null
                : ("Basic " + Base64.getEncoder().encodeToString(
                        basicAuthUserInfo.getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long t0 = System.nanoTime();
        int status;
        byte[] body;
        try {
            authorize(exchange);
            Object result = route(exchange);
            status = 200;
            body = result instanceof RawText ? ((RawText) result).text.getBytes(StandardCharsets.UTF_8)
                    : JSON.writeValueAsBytes(result);
        } catch (RegistryError e) {
            status = e.status();
            body = error(e.errorCode(), e.getMessage());
            if (status >= 500) {
                LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            status = 500;
            body = error(50001, "Error in the schema registry: " + e);
            LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
        if (status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
        }
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} in {} us", exchange.getRequestMethod(), exchange.getRequestURI(), status,
                    (System.nanoTime() - t0) / 1000);
        }
    }

    private void authorize(HttpExchange exchange) {
        if (expectedAuthorization == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header == null ? new byte[0] : header.trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expectedAuthorization)) {
            throw new RegistryError(401, 40101, "Unauthorized: valid basic-auth credentials are required");
        }
    }

    private Object route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        List<String> p = segments(ex.getRequestURI().getRawPath());
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        boolean deleted = bool(q, "deleted");
        boolean normalize = bool(q, "normalize");
        int n = p.size();
        if (n == 0) {
            return JSON.createObjectNode();
        }
        switch (p.get(0)) {
            case "subjects":
                if (n == 1 && method.equals("GET")) {
                    return store.subjects(deleted, q.get("subjectPrefix"));
                }
                if (n == 2) {
                    String subject = p.get(1);
                    if (method.equals("POST")) {
                        return versionJson(store.lookup(subject, schemaFromBody(ex), normalize, deleted));
                    }
                    if (method.equals("DELETE")) {
                        return store.deleteSubject(subject, bool(q, "permanent"));
                    }
                }
                if (n >= 3 && p.get(2).equals("versions")) {
                    String subject = p.get(1);
                    if (n == 3 && method.equals("GET")) {
                        return store.versions(subject, deleted);
                    }
                    if (n == 3 && method.equals("POST")) {
                        int id = store.register(subject, schemaFromBody(ex), normalize);
                        ObjectNode out = JSON.createObjectNode();
                        out.put("id", id);
                        return out;
                    }
                    if (n == 4 && method.equals("GET")) {
                        return versionJson(store.version(subject, p.get(3), deleted));
                    }
                    if (n == 4 && method.equals("DELETE")) {
                        return store.deleteVersion(subject, p.get(3), bool(q, "permanent"));
                    }
                    if (n == 5 && method.equals("GET") && p.get(4).equals("schema")) {
                        return new RawText(store.version(subject, p.get(3), deleted).schema());
                    }
                    if (n == 5 && method.equals("GET") && p.get(4).equals("referencedby")) {
                        store.version(subject, p.get(3), deleted);
                        return List.of();
                    }
                }
                break;
            case "schemas":
                if (n == 2 && p.get(1).equals("types") && method.equals("GET")) {
                    return List.of(SchemaStore.AVRO);
                }
                if (n >= 3 && p.get(1).equals("ids") && method.equals("GET")) {
                    int id = schemaId(p.get(2));
                    if (n == 3) {
                        ObjectNode out = JSON.createObjectNode();
                        out.put("schema", store.schemaById(id));
                        if (bool(q, "fetchMaxId")) {
                            out.put("maxId", store.maxId());
                        }
                        return out;
                    }
                    if (n == 4 && p.get(3).equals("schema")) {
                        return new RawText(store.schemaById(id));
                    }
                    if (n == 4 && p.get(3).equals("versions")) {
                        ArrayNode out = JSON.createArrayNode();
                        for (SchemaStore.Version v : store.versionsById(id, deleted)) {
                            out.addObject().put("subject", v.subject()).put("version", v.version());
                        }
                        return out;
                    }
                    if (n == 4 && p.get(3).equals("subjects")) {
                        List<String> out = new ArrayList<>();
                        for (SchemaStore.Version v : store.versionsById(id, deleted)) {
                            if (!out.contains(v.subject())) {
                                out.add(v.subject());
                            }
                        }
                        return out;
                    }
                }
                break;
            case "config":
                if (n <= 2) {
                    String subject = n == 2 ? p.get(1) : null;
                    if (method.equals("GET")) {
                        CompatibilityLevel level = subject == null ? store.globalLevel() : store.subjectLevel(subject);
                        if (level == null) {
                            if (!bool(q, "defaultToGlobal")) {
                                throw new RegistryError(404, RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                                        "Subject '" + subject + "' does not have subject-level compatibility "
                                                + "configured");
                            }
                            level = store.globalLevel();
                        }
                        return JSON.createObjectNode().put("compatibilityLevel", level.name());
                    }
                    if (method.equals("PUT")) {
                        JsonNode body = jsonBody(ex);
                        String text = body.path("compatibility").asText(null);
                        if (text == null) {
                            text = body.path("compatibilityLevel").asText(null);
                        }
                        CompatibilityLevel level = CompatibilityLevel.parseOrNull(text);
                        if (level == null) {
                            throw RegistryError.invalidCompatibility(String.valueOf(text));
                        }
                        store.setLevel(subject, level);
                        return JSON.createObjectNode().put("compatibility", level.name());
                    }
                    if (method.equals("DELETE")) {
                        return JSON.createObjectNode().put("compatibilityLevel", store.deleteLevel(subject).name());
                    }
                }
                break;
            case "compatibility":
                if (method.equals("POST") && p.size() >= 4 && p.get(1).equals("subjects")
                        && p.get(3).equals("versions") && n <= 5) {
                    String subject = p.get(2);
                    String version = n == 5 ? p.get(4) : null;
                    List<String> problems = store.testCompatibility(subject, version, schemaFromBody(ex), normalize);
                    ObjectNode out = JSON.createObjectNode();
                    out.put("is_compatible", problems.isEmpty());
                    if (bool(q, "verbose")) {
                        ArrayNode messages = out.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return out;
                }
                break;
            case "mode":
                if (method.equals("GET") && n <= 2) {
                    return JSON.createObjectNode().put("mode", "READWRITE");
                }
                break;
            default:
                break;
        }
        throw new RegistryError(404, 404, "HTTP 404 Not Found: " + method + " " + ex.getRequestURI().getPath()
                + " is not supported by this registry");
    }

    private static ObjectNode versionJson(SchemaStore.Version v) {
        ObjectNode out = JSON.createObjectNode();
        out.put("subject", v.subject());
        out.put("version", v.version());
        out.put("id", v.id());
        out.put("schema", v.schema());
        return out;
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + text + " not found (not a schema id)");
        }
    }

    private static String schemaFromBody(HttpExchange ex) throws IOException {
        JsonNode body = jsonBody(ex);
        String type = body.path("schemaType").asText(SchemaStore.AVRO);
        if (!type.isEmpty() && !SchemaStore.AVRO.equalsIgnoreCase(type)) {
            throw RegistryError.invalidSchema("schemaType " + type + " is not supported; this registry stores "
                    + "AVRO schemas only");
        }
        JsonNode refs = body.path("references");
        if (refs.isArray() && refs.size() > 0) {
            throw RegistryError.invalidSchema("schema references are not supported by this registry");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || schema.isNull()) {
            throw new RegistryError(422, 422, "Unprocessable entity: the request body needs a \"schema\" field");
        }
        return schema.isTextual() ? schema.asText() : schema.toString();
    }

    private static JsonNode jsonBody(HttpExchange ex) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            String ct = contentType.toLowerCase(Locale.ROOT);
            if (!(ct.startsWith("application/vnd.schemaregistry") || ct.startsWith("application/json")
                    || ct.startsWith("application/octet-stream") || ct.startsWith("text/plain"))) {
                throw new RegistryError(415, 415, "Unsupported content type " + contentType
                        + "; use application/vnd.schemaregistry.v1+json or application/json");
            }
        }
        byte[] bytes = readBody(ex.getRequestBody());
        if (bytes.length == 0) {
            throw new RegistryError(422, 422, "Unprocessable entity: the request body is empty");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new RegistryError(422, 422, "Unprocessable entity: the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RegistryError(400, 400, "Malformed JSON request body: " + e.getOriginalMessage());
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int r;
        while ((r = in.read(buf)) != -1) {
            out.write(buf, 0, r);
            if (out.size() > MAX_BODY_BYTES) {
                throw new RegistryError(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(decode(s));
            }
        }
        return out;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            out.put(k, v);
        }
        return out;
    }

    private static boolean bool(Map<String, String> q, String key) {
        return Boolean.parseBoolean(q.getOrDefault(key, "false"));
    }

    private static String decode(String segment) {
        // Path segments: '+' is a literal plus, only %XX escapes are decoded.
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodeQuery(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static byte[] error(int code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A response body sent as is (the {@code /schema} endpoints return the bare schema). */
    private static final class RawText {
        final String text;

        RawText(String text) {
            this.text = text;
        }
    }
}
