package io.bulwark.serving.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.Prediction;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.registry.ServedModel;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.Http;
import io.bulwark.serving.testing.RealModels;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.assertj.core.data.Offset;

/**
 * Snapshots made by a real learner travel through a real KRaft broker and schema registry into the server; a
 * corrupted or incompatible snapshot is refused while the loaded version keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaIntakeITCase {

    private static final String SNAPSHOTS = "bulwark.snapshots";
    private static final String LATEST = "bulwark.snapshots.latest";
    private static final String REPORTS = "bulwark.reports";
    private static final String MODEL = "spam-filter";

    private static EmbeddedKafka kafka;
    private static SchemaRegistryServer registry;
    private static KafkaProducer<byte[], byte[]> producer;
    private static AvroRegistryCodec<ModelSnapshot> snapshotCodec;
    private static AvroRegistryCodec<RobustnessReport> reportCodec;
    private static List<RealModels.Version> versions;
    private static ServingServer server;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        versions = RealModels.train(MODEL, 3, 4, 11);
        kafka = EmbeddedKafka.start();
        Map<String, String> big = Map.of("max.message.bytes", "16777216");
        kafka.createTopic(SNAPSHOTS, 2, big);
        kafka.createTopic(LATEST, 1, Map.of("max.message.bytes", "16777216", "cleanup.policy", "compact"));
        kafka.createTopic(REPORTS, 1, Map.of());
        registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
        RegistryConfig rc = RegistryConfig.builder().setUrl(registry.url()).build();
        snapshotCodec = AvroRegistryCodec.forClass(ModelSnapshot.class, rc);
        reportCodec = AvroRegistryCodec.forClass(RobustnessReport.class, rc);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16777216");
        producer = new KafkaProducer<>(p);

        // v1 exists before the server starts: it must be found through the compacted latest-snapshot topic
        publish(versions.get(0).snapshot(), true);
        publishReport(versions.get(0).report());
        producer.flush();

        server = ServingServer.start(ServingConfig.builder()
                .optPort(0)
                .optKafka(kafka.bootstrapServers(), registry.url())
                .optKafkaProperty("client.id", "serving-itcase")
                .optGate(1.0, true)
                .build());
        http = new Http(server.url());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, producer, snapshotCodec, reportCodec, registry, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private static void publish(ModelSnapshot s, boolean alsoLatest) throws Exception {
        byte[] key = s.getModelId().getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(SNAPSHOTS, key, snapshotCodec.encode(SNAPSHOTS, s))).get();
        if (alsoLatest) {
            producer.send(new ProducerRecord<>(LATEST, key, snapshotCodec.encode(LATEST, s))).get();
        }
    }

    /** A producer with transactional id {@code id}, for snapshots up to 16 MiB. */
    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16777216");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        return new KafkaProducer<>(p);
    }

    private static void publishReport(RobustnessReport r) throws Exception {
        producer.send(new ProducerRecord<>(REPORTS, r.getModelId().getBytes(StandardCharsets.UTF_8),
                reportCodec.encode(REPORTS, r))).get();
    }

    private static ServedModel slot() {
        return server.registry().find(MODEL).orElseThrow();
    }

    private static void awaitVersion(long version) {
        Await.until(Duration.ofSeconds(60), MODEL + " v" + version + " loaded from Kafka",
                () -> server.registry().find(MODEL).flatMap(s -> s.version(version)).isPresent(),
                () -> http.get("/healthz").body() + " " + http.get("/v1/models").body());
    }

    @Test
    @Order(1)
    void loadsTheLatestSnapshotAndScoresLikeTheLearner() {
        awaitVersion(1);
        String text = "Congratulations, you won a free prize, click here to claim your cash";
        Http.Response r = http.post("/v1/models/" + MODEL + "/predict", Http.json(Map.of("text", text)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("version").asLong()).isEqualTo(1);
        try (Learner bare = Snapshots.fromAvro(versions.get(0).snapshot(), "cpu")) {
            Prediction expected = bare.predict(List.of(text)).get(0);
            assertThat(r.json().path("label").asText()).isEqualTo(expected.label());
            List<String> labels = bare.labels();
            for (int i = 0; i < labels.size(); i++) {
                assertThat(r.json().path("probabilities").path(labels.get(i)).asDouble())
                        .isCloseTo(expected.probabilities()[i], Offset.offset(1e-5));
            }
        }
        Await.until(Duration.ofSeconds(30), "report of v1", () -> slot().report(1).isPresent());
        assertThat(slot().report(1).orElseThrow().robustAccuracy())
                .isEqualTo(versions.get(0).report().getRobustAccuracy());
        JsonNode health = http.get("/healthz").json();
        assertThat(health.path("intake").path("state").asText()).isEqualTo("running");
    }

    @Test
    @Order(2)
    void followsNewVersionsWithTheirReports() throws Exception {
        publish(versions.get(1).snapshot(), true);
        publishReport(versions.get(1).report());
        awaitVersion(2);
        Await.until(Duration.ofSeconds(30), "A on v2 once its report arrived",
                () -> Long.valueOf(2).equals(slot().readExperiment(e -> e.version(io.bulwark.serving.ab.Arm.A))),
                () -> http.get("/v1/models/" + MODEL).body());
        Http.Response r = http.post("/v1/models/" + MODEL + "/predict", "{\"text\": \"meeting notes attached\"}");
        assertThat(r.json().path("version").asLong()).isEqualTo(2);
        JsonNode model = http.get("/v1/models/" + MODEL).json();
        assertThat(model.path("versions")).hasSize(2);
        assertThat(model.path("versions").get(0).path("report").path("cleanAccuracy").asDouble())
                .isEqualTo(versions.get(1).report().getCleanAccuracy());
    }

    @Test
    @Order(3)
    void refusesCorruptAndIncompatibleSnapshotsWhileTheLoadedVersionKeepsServing() throws Exception {
        ModelSnapshot good = versions.get(2).snapshot();
        ModelPayload payload = good.getPayload();
        byte[] bytes = new byte[payload.getBytes().remaining()];
        payload.getBytes().duplicate().get(bytes);
        bytes[bytes.length / 2] ^= 0x5a;
        ModelSnapshot corrupt = ModelSnapshot.newBuilder(good)
                .setPayload(ModelPayload.newBuilder(payload).setBytes(ByteBuffer.wrap(bytes)).build())
                .build();
        ModelSnapshot incompatible = ModelSnapshot.newBuilder(good).setVersion(4)
                .setPayload(ModelPayload.newBuilder(payload).setFormatVersion(99).build())
                .build();
        publish(corrupt, false);
        publish(incompatible, false);
        // a record that is not Avro at all
        producer.send(new ProducerRecord<>(SNAPSHOTS, MODEL.getBytes(StandardCharsets.UTF_8),
                "not a snapshot".getBytes(StandardCharsets.UTF_8))).get();

        Await.until(Duration.ofSeconds(60), "v3 and v4 refused", () -> slot().refused().size() >= 2,
                () -> http.get("/v1/models/" + MODEL).body());
        assertThat(slot().refused()).extracting(ServedModel.Refusal::version).contains(3L, 4L);
        ServedModel.Refusal v3 = slot().refused().stream().filter(f -> f.version() == 3).findFirst().orElseThrow();
        assertThat(v3.reason()).containsIgnoringCase("checksum");
        ServedModel.Refusal v4 = slot().refused().stream().filter(f -> f.version() == 4).findFirst().orElseThrow();
        assertThat(v4.reason()).contains("99");
        Await.until(Duration.ofSeconds(30), "the undecodable record refused",
                () -> !server.registry().undecodable().isEmpty());

        assertThat(slot().loadedVersions()).containsExactly(1L, 2L);
        Http.Response r = http.post("/v1/models/" + MODEL + "/predict", "{\"text\": \"still serving?\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("version").asLong()).isEqualTo(2);
        JsonNode refused = http.get("/v1/models/" + MODEL).json().path("refused");
        assertThat(refused.toString()).containsIgnoringCase("checksum");
        assertThat(http.get("/metrics").body())
                .contains("bulwark_serving_snapshots_refused_total{model=\"" + MODEL + "\",reason=\"format\"} 2.0")
                .contains("bulwark_serving_snapshots_refused_total{model=\"\",reason=\"decode\"} 1.0");

        // the intake survived: a good snapshot after the bad ones still loads
        ModelSnapshot v5 = ModelSnapshot.newBuilder(good).setVersion(5).build();
        publish(v5, true);
        awaitVersion(5);
        assertThat(http.get("/healthz").json().path("intake").path("undecodable").asLong()).isEqualTo(1);
    }

    /** A version written in an aborted transaction (a job that failed before its checkpoint) is never loaded. */
    @Test
    @Order(4)
    void readsOnlyCommittedSnapshots() throws Exception {
        ModelSnapshot good = versions.get(2).snapshot();
        byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> tx = transactional("serving-itcase-tx")) {
            tx.initTransactions();
            tx.beginTransaction();
            ModelSnapshot aborted = ModelSnapshot.newBuilder(good).setVersion(9).build();
            tx.send(new ProducerRecord<>(SNAPSHOTS, key, snapshotCodec.encode(SNAPSHOTS, aborted))).get();
            tx.send(new ProducerRecord<>(LATEST, key, snapshotCodec.encode(LATEST, aborted))).get();
            tx.abortTransaction();
            tx.beginTransaction();
            ModelSnapshot committed = ModelSnapshot.newBuilder(good).setVersion(10).build();
            tx.send(new ProducerRecord<>(SNAPSHOTS, key, snapshotCodec.encode(SNAPSHOTS, committed))).get();
            tx.commitTransaction();
        }
        awaitVersion(10);
        assertThat(slot().version(9)).isEmpty();
        assertThat(slot().refused()).extracting(ServedModel.Refusal::version).doesNotContain(9L);
    }

    /**
     * The same version number written in an aborted transaction with one payload and then committed with another:
     * serving never loads the aborted payload and serves the committed one; a later, different payload under the
     * same number is refused as a conflict while the committed one keeps serving.
     */
    @Test
    @Order(5)
    void servesTheCommittedPayloadOfAVersionWhoseFirstWriteWasAborted() throws Exception {
        long n = 11;
        ModelSnapshot aborted = ModelSnapshot.newBuilder(versions.get(0).snapshot()).setVersion(n).build();
        ModelSnapshot committed = ModelSnapshot.newBuilder(versions.get(2).snapshot()).setVersion(n).build();
        String abortedPrint = io.bulwark.serving.registry.PayloadFingerprint.of(aborted);
        String committedPrint = io.bulwark.serving.registry.PayloadFingerprint.of(committed);
        assertThat(abortedPrint).isNotEqualTo(committedPrint);
        byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> tx = transactional("serving-itcase-same-version")) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(SNAPSHOTS, key, snapshotCodec.encode(SNAPSHOTS, aborted))).get();
            tx.send(new ProducerRecord<>(LATEST, key, snapshotCodec.encode(LATEST, aborted))).get();
            tx.flush();
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(SNAPSHOTS, key, snapshotCodec.encode(SNAPSHOTS, committed))).get();
            tx.send(new ProducerRecord<>(LATEST, key, snapshotCodec.encode(LATEST, committed))).get();
            tx.commitTransaction();
        }
        awaitVersion(n);
        assertThat(slot().version(n).orElseThrow().fingerprint()).isEqualTo(committedPrint);
        JsonNode view = null;
        for (JsonNode v : http.get("/v1/models/" + MODEL).json().path("versions")) {
            if (v.path("version").asLong() == n) {
                view = v;
            }
        }
        assertThat(view).isNotNull();
        assertThat(view.path("fingerprint").asText()).isEqualTo(committedPrint).isNotEqualTo(abortedPrint);

        // the served answers are the committed learner's, and differ from the aborted one's
        String text = "Congratulations, you won a free prize, click here to claim your cash";
        Http.Response r = http.post("/v1/models/" + MODEL + "/versions/" + n + "/predict",
                Http.json(Map.of("text", text)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        try (Learner c = Snapshots.fromAvro(committed, "cpu"); Learner a = Snapshots.fromAvro(aborted, "cpu")) {
            Prediction expected = c.predict(List.of(text)).get(0);
            Prediction other = a.predict(List.of(text)).get(0);
            List<String> labels = c.labels();
            int differing = 0;
            for (int i = 0; i < labels.size(); i++) {
                double served = r.json().path("probabilities").path(labels.get(i)).asDouble();
                assertThat(served).isCloseTo(expected.probabilities()[i], Offset.offset(1e-6));
                if (Math.abs(served - other.probabilities()[i]) > 1e-4) {
                    differing++;
                }
            }
            assertThat(differing).as("the aborted payload would answer differently").isPositive();
        }

        // a different payload committed later under the same number is refused; the committed one keeps serving
        publish(ModelSnapshot.newBuilder(versions.get(1).snapshot()).setVersion(n).build(), false);
        Await.until(Duration.ofSeconds(30), "the conflicting v" + n + " refused",
                () -> slot().refused().stream().anyMatch(f -> f.version() == n && f.kind().equals("conflict")),
                () -> http.get("/v1/models/" + MODEL).body());
        assertThat(slot().version(n).orElseThrow().fingerprint()).isEqualTo(committedPrint);
        assertThat(http.get("/metrics").body())
                .contains("bulwark_serving_snapshots_refused_total{model=\"" + MODEL + "\",reason=\"conflict\"} 1.0");
    }
}
