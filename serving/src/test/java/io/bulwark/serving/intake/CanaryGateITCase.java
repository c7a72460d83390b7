package io.bulwark.serving.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.kafka.Topics;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.GateDecision;
import io.bulwark.serving.bench.BenchModels;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.registry.ServedModel;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.Http;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Held-out events travel through a real KRaft broker and schema registry into each model's canary set (only
 * committed ones); real learner versions are scored on it, a better version is promoted and one trained on flipped
 * labels is kept out, with the paired statistics in the API.
 */
class CanaryGateITCase {

    private static final String MODEL = "spam-filter";
    private static final int HELD_OUT = 160;

    private static EmbeddedKafka kafka;
    private static SchemaRegistryServer registry;
    private static ServingServer server;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        Map<String, String> big = Map.of("max.message.bytes", "16777216");
        kafka.createTopic(Topics.SNAPSHOTS, 1, big);
        kafka.createTopic(Topics.SNAPSHOTS_LATEST, 1, Map.of("max.message.bytes", "16777216", "cleanup.policy", "compact"));
        kafka.createTopic(Topics.REPORTS, 1, Map.of());
        kafka.createTopic(Topics.HELDOUT, 1, Map.of());
        registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
        server = ServingServer.start(ServingConfig.builder()
                .optPort(0)
                .optKafka(kafka.bootstrapServers(), registry.url())
                .optKafkaProperty("client.id", "serving-canary-itcase")
                .build());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, registry, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16777216");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(p);
    }

    private static LabeledText heldOut(String id, Example e) {
        return LabeledText.newBuilder().setId(id).setText(e.text()).setLabel(e.label())
                .setEventTime(Instant.now()).setModelKey(MODEL).setWeight(1f).build();
    }

    private static ServedModel slot() {
        return server.registry().require(MODEL);
    }

    private static Long champion() {
        return slot().readExperiment(e -> e.version(Arm.A));
    }

    private static GateDecision gate() {
        return slot().readExperiment(e -> e.lastGate());
    }

    @Test
    void promotesABetterVersionAndKeepsOutOneTrainedOnFlippedLabels() throws Exception {
        List<Example> all = BenchModels.examples(5, 400);
        List<Example> canary = all.subList(0, HELD_OUT);
        List<Example> train = all.subList(HELD_OUT, all.size());
        List<Example> flipped = new ArrayList<>();
        for (Example e : train) {
            flipped.add(Example.of(e.text(), e.label().equals("spam") ? "ham" : "spam"));
        }
        ModelSnapshot v1;
        ModelSnapshot v2;
        ModelSnapshot v3;
        try (Learner good = BenchModels.newLearner(1); Learner bad = BenchModels.newLearner(2)) {
            BenchModels.train(good, train, 2);
            v1 = BenchModels.snapshot(good, MODEL, 1);
            BenchModels.train(good, train, 60);
            v2 = BenchModels.snapshot(good, MODEL, 2);
            BenchModels.train(bad, flipped, 60);
            v3 = BenchModels.snapshot(bad, MODEL, 3);
        }
        RegistryConfig rc = RegistryConfig.builder().setUrl(registry.url()).build();
        byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
        try (AvroRegistryCodec<LabeledText> texts = AvroRegistryCodec.forClass(LabeledText.class, rc);
             AvroRegistryCodec<ModelSnapshot> snapshots = AvroRegistryCodec.forClass(ModelSnapshot.class, rc);
             KafkaProducer<byte[], byte[]> tx = producer("canary-itcase")) {
            tx.initTransactions();
            // held-out events of an aborted transaction (a job that failed before its checkpoint) never count
            tx.beginTransaction();
            for (int i = 0; i < 10; i++) {
                tx.send(new ProducerRecord<>(Topics.HELDOUT, key,
                        texts.encode(Topics.HELDOUT, heldOut("aborted-" + i, canary.get(i))))).get();
            }
            tx.abortTransaction();
            tx.beginTransaction();
            for (int i = 0; i < canary.size(); i++) {
                tx.send(new ProducerRecord<>(Topics.HELDOUT, key,
                        texts.encode(Topics.HELDOUT, heldOut("e" + i, canary.get(i)))));
            }
            tx.commitTransaction();
            Await.until(Duration.ofSeconds(60), "the canary set filled from Kafka",
                    () -> server.registry().find(MODEL).map(s -> s.canary().set().size() == HELD_OUT).orElse(false));
            assertThat(slot().canary().set().snapshot().examples())
                    .noneMatch(e -> e.eventId().startsWith("aborted-"));

            for (ModelSnapshot v : List.of(v1, v2)) {
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(Topics.SNAPSHOTS, key, snapshots.encode(Topics.SNAPSHOTS, v)));
                tx.commitTransaction();
                long version = v.getVersion();
                Await.until(Duration.ofSeconds(60), "v" + version + " scored on the canary set",
                        () -> slot().version(version).isPresent()
                                && slot().canary().scores().scoredOn(version).isPresent());
            }
            Await.until(Duration.ofSeconds(30), "v2 promoted on the canary evidence", () -> champion() == 2L,
                    () -> String.valueOf(gate()));
            GateDecision promoted = gate();
            assertThat(promoted.outcome()).isEqualTo(GateDecision.Outcome.PASSED);
            assertThat(promoted.canary().clean()).as("decided on the canary set, without any report").isNotNull();
            assertThat(promoted.canary().clean().counts().n()).isEqualTo(HELD_OUT);
            assertThat(promoted.canary().clean().candidateAccuracy())
                    .isGreaterThan(promoted.canary().clean().championAccuracy());

            tx.beginTransaction();
            tx.send(new ProducerRecord<>(Topics.SNAPSHOTS, key, snapshots.encode(Topics.SNAPSHOTS, v3)));
            tx.commitTransaction();
            Await.until(Duration.ofSeconds(60), "v3 judged on the canary set",
                    () -> gate() != null && gate().candidateVersion() == 3 && gate().canary() != null
                            && gate().canary().clean() != null,
                    () -> String.valueOf(gate()));
        }
        GateDecision kept = gate();
        assertThat(kept.outcome()).as(kept.reason()).isIn(GateDecision.Outcome.BLOCKED, GateDecision.Outcome.WAITING);
        assertThat(kept.outcome()).as(kept.reason()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(kept.canary().clean().counts().championOnly())
                .isGreaterThan(kept.canary().clean().counts().candidateOnly());
        assertThat(champion()).isEqualTo(2L);
        Http http = new Http(server.url());
        Http.Response answer = http.post("/v1/models/" + MODEL + "/predict", "{\"text\": \"hello there\"}");
        assertThat(answer.json().path("version").asLong()).isEqualTo(2);
        Http.Response canaryView = http.get("/v1/models/" + MODEL + "/canary");
        assertThat(canaryView.json().path("gate").path("outcome").asText()).isEqualTo("blocked");
        assertThat(canaryView.json().path("gate").path("clean").path("n").asInt()).isEqualTo(HELD_OUT);
        assertThat(http.get("/healthz").json().path("intake").path("heldOutRead").asLong()).isEqualTo(HELD_OUT);

        // a server started later reads only the most recent offsets of the held-out topic
        try (ServingServer late = ServingServer.start(ServingConfig.builder()
                .optPort(0)
                .optKafka(kafka.bootstrapServers(), registry.url())
                .optKafkaProperty("client.id", "serving-canary-itcase-late")
                .optHeldOutReplay(50)
                .build())) {
            Await.until(Duration.ofSeconds(60), "the late server's canary set",
                    () -> late.registry().find(MODEL).map(s -> s.canary().set().size() >= 45).orElse(false));
            Thread.sleep(500);
            List<String> ids = late.registry().require(MODEL).canary().set().snapshot().examples().stream()
                    .map(e -> e.eventId()).toList();
            assertThat(ids).hasSizeBetween(45, 50).contains("e" + (HELD_OUT - 1)).doesNotContain("e0");
        }
    }
}
