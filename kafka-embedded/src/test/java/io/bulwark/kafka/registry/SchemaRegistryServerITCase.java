package io.bulwark.kafka.registry;

import io.bulwark.kafka.embedded.EmbeddedKafka;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaMetadata;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.entities.Config;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The embedded registry driven by Confluent's own (relocated) client, on a real broker. */
class SchemaRegistryServerITCase {

    static final String V1 = "{\"type\":\"record\",\"name\":\"Event\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"}]}";
    static final String V2_WITH_DEFAULT = "{\"type\":\"record\",\"name\":\"Event\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"score\",\"type\":\"double\",\"default\":0.0}]}";
    static final String V2_NO_DEFAULT = "{\"type\":\"record\",\"name\":\"Event\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"score\",\"type\":\"double\"}]}";

    private static EmbeddedKafka kafka;
    private static SchemaRegistryServer registry;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
    }

    @AfterAll
    static void stop() {
        registry.close();
        kafka.close();
    }

    private static SchemaRegistryClient client() {
        return new CachedSchemaRegistryClient(registry.url(), 100);
    }

    @Test
    void theShadedJarCarriesTheClientWithRelocatedGuava() throws Exception {
        assertThat(CachedSchemaRegistryClient.class.getMethod("ticker").getReturnType().getName())
                .startsWith("io.bulwark.kafka.shaded.com.google.common.");
    }

    @Test
    void registerIsIdempotentAndSchemasAreFoundById() throws Exception {
        SchemaRegistryClient c = client();
        int id = c.register("reg-value", new AvroSchema(V1));
        assertThat(c.register("reg-value", new AvroSchema(V1))).isEqualTo(id);
        // A fresh client (no cache) gets the same id from the server.
        assertThat(client().register("reg-value", new AvroSchema(V1))).isEqualTo(id);
        // The same schema under another subject keeps its id.
        assertThat(client().register("reg-other-value", new AvroSchema(V1))).isEqualTo(id);
        ParsedSchema byId = client().getSchemaById(id);
        assertThat(byId.canonicalString()).isEqualTo(new AvroSchema(V1).canonicalString());
        assertThat(client().getAllVersions("reg-value")).containsExactly(1);
        assertThat(client().getAllSubjects()).contains("reg-value", "reg-other-value");
        assertThat(client().getAllSubjectsById(id)).contains("reg-value", "reg-other-value");
    }

    @Test
    void versionsLatestAndLookup() throws Exception {
        SchemaRegistryClient c = client();
        c.updateConfig("ver-value", new Config("BACKWARD"));
        int id1 = c.register("ver-value", new AvroSchema(V1));
        int id2 = c.register("ver-value", new AvroSchema(V2_WITH_DEFAULT));
        assertThat(id2).isNotEqualTo(id1);
        SchemaRegistryClient fresh = client();
        assertThat(fresh.getAllVersions("ver-value")).containsExactly(1, 2);
        SchemaMetadata latest = fresh.getLatestSchemaMetadata("ver-value");
        assertThat(latest.getVersion()).isEqualTo(2);
        assertThat(latest.getId()).isEqualTo(id2);
        SchemaMetadata first = fresh.getSchemaMetadata("ver-value", 1);
        assertThat(first.getId()).isEqualTo(id1);
        assertThat(first.getSchema()).isEqualTo(new AvroSchema(V1).canonicalString());
        assertThat(fresh.getVersion("ver-value", new AvroSchema(V1))).isEqualTo(1);
        assertThat(fresh.getId("ver-value", new AvroSchema(V2_WITH_DEFAULT))).isEqualTo(id2);
        RestClientException notThere = catchThrowableOfType(RestClientException.class,
                () -> fresh.getId("ver-value", new AvroSchema(V2_NO_DEFAULT)));
        assertThat(notThere.getErrorCode()).isEqualTo(40403);
    }

    @Test
    void compatibilityConfigAndChecks() throws Exception {
        SchemaRegistryClient c = client();
        assertThat(c.getConfig(null).getCompatibilityLevel()).isEqualTo("BACKWARD");
        c.register("compat-value", new AvroSchema(V1));
        assertThat(c.testCompatibility("compat-value", new AvroSchema(V2_WITH_DEFAULT))).isTrue();
        assertThat(c.testCompatibility("compat-value", new AvroSchema(V2_NO_DEFAULT))).isFalse();
        assertThat(c.testCompatibilityVerbose("compat-value", new AvroSchema(V2_NO_DEFAULT)))
                .anySatisfy(m -> assertThat(m).contains("score"));
        RestClientException incompatible = catchThrowableOfType(RestClientException.class,
                () -> c.register("compat-value", new AvroSchema(V2_NO_DEFAULT)));
        assertThat(incompatible.getStatus()).isEqualTo(409);
        assertThat(incompatible.getErrorCode()).isEqualTo(409);

        // With NONE on the subject, the same change is accepted; FORWARD refuses removing a field without default.
        c.updateConfig("compat-value", new Config("NONE"));
        assertThat(c.getConfig("compat-value").getCompatibilityLevel()).isEqualTo("NONE");
        int id = c.register("compat-value", new AvroSchema(V2_NO_DEFAULT));
        assertThat(id).isPositive();
        c.updateConfig("compat-value", new Config("FORWARD"));
        assertThat(c.testCompatibility("compat-value", new AvroSchema(V1))).isFalse();
        c.updateConfig("compat-value", new Config("FULL_TRANSITIVE"));
        assertThat(c.getConfig("compat-value").getCompatibilityLevel()).isEqualTo("FULL_TRANSITIVE");
        // The global level is unchanged.
        assertThat(c.getConfig(null).getCompatibilityLevel()).isEqualTo("BACKWARD");
    }

    @Test
    void errorCodesForUnknownSubjectVersionIdAndInvalidSchema() throws Exception {
        SchemaRegistryClient c = client();
        c.register("err-value", new AvroSchema(V1));
        assertThat(errorCode(() -> c.getLatestSchemaMetadata("no-such-subject"))).isEqualTo(40401);
        assertThat(errorCode(() -> c.getSchemaMetadata("err-value", 42))).isEqualTo(40402);
        assertThat(errorCode(() -> c.getSchemaById(987654))).isEqualTo(40403);

        HttpResponse<String> invalid = post("/subjects/err-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"nope\\\"}\"}",
                "application/vnd.schemaregistry.v1+json");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.body()).contains("\"error_code\":42201");
        assertThat(invalid.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");

        HttpResponse<String> badVersion = get("/subjects/err-value/versions/zero");
        assertThat(badVersion.statusCode()).isEqualTo(422);
        assertThat(badVersion.body()).contains("\"error_code\":42202");

        HttpResponse<String> badLevel = send(HttpRequest.newBuilder(URI.create(registry.url() + "/config/err-value"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"SIDEWAYS\"}")).build());
        assertThat(badLevel.statusCode()).isEqualTo(422);
        assertThat(badLevel.body()).contains("\"error_code\":42203");

        HttpResponse<String> protobuf = post("/subjects/err-value/versions",
                "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}", "application/json");
        assertThat(protobuf.body()).contains("\"error_code\":42201").contains("AVRO");
    }

    @Test
    void plainJsonAndOctetStreamRequestsAndRawSchemaEndpoints() throws Exception {
        String body = "{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(V1) + "}";
        HttpResponse<String> json = post("/subjects/raw-value/versions", body, "application/json");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.body()).matches("\\{\"id\":\\d+}");
        HttpResponse<String> octet = post("/subjects/raw-value/versions", body, "application/octet-stream");
        assertThat(octet.body()).isEqualTo(json.body());
        assertThat(get("/subjects/raw-value/versions/latest/schema").body())
                .isEqualTo(new AvroSchema(V1).canonicalString());
        String id = json.body().replaceAll("\\D", "");
        assertThat(get("/schemas/ids/" + id + "?fetchMaxId=true&subject=raw-value").body()).contains("\"maxId\"");
        assertThat(get("/schemas/ids/" + id + "/versions").body()).contains("{\"subject\":\"raw-value\",\"version\":1}");
        assertThat(get("/schemas/types").body()).isEqualTo("[\"AVRO\"]");
        assertThat(get("/nothing/here").statusCode()).isEqualTo(404);
    }

    @Test
    void normalizeMapsReorderedPropertiesToOneId() throws Exception {
        String reordered = "{\"namespace\":\"test\",\"fields\":[{\"type\":\"string\",\"name\":\"id\"}],"
                + "\"name\":\"Event\",\"type\":\"record\"}";
        HttpResponse<String> a = post("/subjects/norm-value/versions?normalize=true", "{\"schema\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(V1) + "}", "application/json");
        HttpResponse<String> b = post("/subjects/norm-value/versions?normalize=true", "{\"schema\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(reordered) + "}", "application/json");
        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(b.body()).isEqualTo(a.body());
        assertThat(get("/subjects/norm-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void softAndPermanentDelete() throws Exception {
        SchemaRegistryClient c = client();
        int id1 = c.register("del-value", new AvroSchema(V1));
        c.register("del-value", new AvroSchema(V2_WITH_DEFAULT));
        assertThat(c.deleteSchemaVersion("del-value", "2")).isEqualTo(2);
        assertThat(client().getAllVersions("del-value")).containsExactly(1);
        assertThat(errorCode(() -> client().deleteSchemaVersion("del-value", "2"))).isEqualTo(40406);
        assertThat(errorCode(() -> client().deleteSchemaVersion("del-value", "1", true))).isEqualTo(40407);
        assertThat(c.deleteSubject("del-value")).containsExactly(1);
        assertThat(errorCode(() -> client().getAllVersions("del-value"))).isEqualTo(40401);
        assertThat(errorCode(() -> client().deleteSubject("del-value"))).isEqualTo(40404);
        // Soft-deleted schemas stay readable by id, so records written with them still decode.
        assertThat(client().getSchemaById(id1).canonicalString()).isEqualTo(new AvroSchema(V1).canonicalString());
        assertThat(client().deleteSubject("del-value", true)).containsExactlyInAnyOrder(1, 2);
        assertThat(client().getAllSubjects(true)).doesNotContain("del-value");
        // Re-registering after deletion starts a new version and keeps the id.
        assertThat(client().register("del-value", new AvroSchema(V1))).isEqualTo(id1);
    }

    @Test
    void idsAndSchemasSurviveARestartOnTheSameBroker() throws Exception {
        String topic = "_schemas_restart";
        int id1;
        int id2;
        try (SchemaRegistryServer first = SchemaRegistryServer.start(SchemaRegistryServer.Options.builder()
                .setBootstrapServers(kafka.bootstrapServers()).optTopic(topic).build())) {
            SchemaRegistryClient c = new CachedSchemaRegistryClient(first.url(), 10);
            id1 = c.register("restart-value", new AvroSchema(V1));
            id2 = c.register("restart-value", new AvroSchema(V2_WITH_DEFAULT));
            c.updateConfig("restart-value", new Config("FULL"));
        }
        try (SchemaRegistryServer second = SchemaRegistryServer.start(SchemaRegistryServer.Options.builder()
                .setBootstrapServers(kafka.bootstrapServers()).optTopic(topic).build())) {
            SchemaRegistryClient c = new CachedSchemaRegistryClient(second.url(), 10);
            assertThat(c.getSchemaById(id1).canonicalString()).isEqualTo(new AvroSchema(V1).canonicalString());
            assertThat(c.getLatestSchemaMetadata("restart-value").getId()).isEqualTo(id2);
            assertThat(c.getConfig("restart-value").getCompatibilityLevel()).isEqualTo("FULL");
            assertThat(c.register("restart-value", new AvroSchema(V1))).isEqualTo(id1);
            String v3 = V2_WITH_DEFAULT.replace("]}", ",{\"name\":\"tag\",\"type\":[\"null\",\"string\"],"
                    + "\"default\":null}]}");
            int id3 = c.register("restart-value", new AvroSchema(v3));
            assertThat(id3).isGreaterThan(Math.max(id1, id2));
        }
    }

    @Test
    void basicAuthIsEnforcedWhenConfigured() throws Exception {
        try (SchemaRegistryServer secured = SchemaRegistryServer.start(SchemaRegistryServer.Options.builder()
                .setBootstrapServers(kafka.bootstrapServers()).optTopic("_schemas_auth")
                .optBasicAuthUserInfo("alice:s3cret").build())) {
            SchemaRegistryClient anonymous = new CachedSchemaRegistryClient(secured.url(), 10);
            RestClientException denied = catchThrowableOfType(RestClientException.class,
                    () -> anonymous.register("auth-value", new AvroSchema(V1)));
            assertThat(denied.getStatus()).isEqualTo(401);
            SchemaRegistryClient alice = new CachedSchemaRegistryClient(secured.url(), 10,
                    Map.of("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "alice:s3cret"));
            assertThat(alice.register("auth-value", new AvroSchema(V1))).isPositive();
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static int errorCode(Call call) {
        RestClientException e = catchThrowableOfType(RestClientException.class, call::run);
        assertThat(e).as("expected a RestClientException").isNotNull();
        return e.getErrorCode();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET().build());
    }

    private static HttpResponse<String> post(String path, String body, String contentType) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
