package io.bulwark.kafka.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.entities.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The codec and Kafka serdes against the embedded registry and a real broker. */
class AvroRegistryCodecITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafka kafka;
    private static SchemaRegistryServer registry;
    private static RegistryConfig config;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
        config = RegistryConfig.builder().setUrl(registry.url()).build();
    }

    @AfterAll
    static void stop() {
        registry.close();
        kafka.close();
    }

    static LabeledText text(int i) {
        return LabeledText.newBuilder()
                .setId("event-" + i)
                .setText("free money now " + i)
                .setLabel(i % 2 == 0 ? "spam" : null)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                .setModelKey(i % 3 == 0 ? "tenant-a" : null)
                .setWeight(i % 4 == 0 ? 0.5f : null)
                .build();
    }

    static ModelSnapshot snapshot(int payloadBytes) {
        byte[] params = new byte[payloadBytes];
        new Random(7).nextBytes(params);
        return ModelSnapshot.newBuilder()
                .setModelId("spam")
                .setVersion(3)
                .setParentVersion(2L)
                .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setExamplesSeen(12_345)
                .setBatchesSeen(386)
                .setSourceOffsets(List.of(SourceOffset.newBuilder().setTopic("labeled-text").setPartition(0)
                        .setOffset(12_345).build()))
                .setTrainingConfig(Map.of("strategy", "freeat", "replays", "4"))
                .setSeed(42)
                .setEncoderConfig(Map.of("buckets", "32768"))
                .setLabels(List.of("ham", "spam"))
                .setPayload(ModelPayload.newBuilder().setFormatVersion(1).setChecksum("crc32c:00000000")
                        .setBytes(ByteBuffer.wrap(params)).build())
                .setTeacherPayload(null)
                .setMetrics(Map.of("prequentialAccuracy", 0.93))
                .build();
    }

    @Test
    void labeledTextRoundTripsThroughATopicWithPropertyConfiguredSerdes() {
        String topic = "labeled-text";
        kafka.createTopic(topic, 2, Map.of());
        Map<String, Object> pp = new HashMap<>(config.toClientProperties());
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, RegistryAvroSerializer.class.getName());
        pp.put(RegistryAvroSerializer.AVRO_CLASS, LabeledText.class.getName());
        List<LabeledText> sent = new ArrayList<>();
        try (KafkaProducer<String, LabeledText> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < 20; i++) {
                sent.add(text(i));
                producer.send(new ProducerRecord<>(topic, "k" + i, text(i)));
            }
        }
        Map<String, Object> cp = new HashMap<>(config.toClientProperties());
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "roundtrip");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RegistryAvroDeserializer.class.getName());
        cp.put(RegistryAvroSerializer.AVRO_CLASS, LabeledText.class.getName());
        List<LabeledText> received = new ArrayList<>();
        try (KafkaConsumer<String, LabeledText> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, LabeledText> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                }
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void modelSnapshotRoundTripsThroughATopicWithConstructedSerdes() {
        String topic = "model-snapshots";
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        ModelSnapshot snapshot = snapshot(300_000);
        Map<String, Object> pp = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        try (KafkaProducer<String, ModelSnapshot> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new RegistryAvroSerializer<>(ModelSnapshot.class, config))) {
            producer.send(new ProducerRecord<>(topic, "spam", snapshot));
        }
        Map<String, Object> cp = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "snapshots", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ModelSnapshot received = null;
        try (KafkaConsumer<String, ModelSnapshot> consumer = new KafkaConsumer<>(cp, new StringDeserializer(),
                new RegistryAvroDeserializer<>(ModelSnapshot.class, config))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ModelSnapshot> r : consumer.poll(Duration.ofMillis(200))) {
                    received = r.value();
                }
            }
        }
        assertThat(received).isEqualTo(snapshot);
        assertThat(received.getPayload().getBytes().remaining()).isEqualTo(300_000);
    }

    @Test
    void decodeFailuresCarryTheirReason() throws Exception {
        AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, config);
        byte[] good = codec.encode("reasons", text(1));
        int id = ByteBuffer.wrap(good, 1, 4).getInt();

        byte[] garbage = new byte[]{0, 0, 0, 0, (byte) id, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        System.arraycopy(good, 0, garbage, 0, 5);
        assertThat(reason(codec, garbage)).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThat(reason(codec, truncated)).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 2);
        assertThat(reason(codec, trailing)).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        RecordDecodeException magic = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("reasons", badMagic));
        assertThat(magic.reason()).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        assertThat(magic).hasMessageContaining("magic byte 0x01");
        assertThat(reason(codec, "{\"id\":\"json\"}".getBytes())).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);

        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 999_999);
        RecordDecodeException unknown = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("reasons", unknownId));
        assertThat(unknown.reason()).isEqualTo(RecordDecodeException.Reason.UNKNOWN_SCHEMA);
        assertThat(unknown.schemaId()).isEqualTo(999_999);
        assertThat(unknown.isTransient()).isFalse();

        // A writer schema with the same name but an int id and no event time cannot be resolved to LabeledText.
        String other = "{\"type\":\"record\",\"name\":\"LabeledText\",\"namespace\":\"io.bulwark.avro\",\"fields\":["
                + "{\"name\":\"id\",\"type\":\"int\"}]}";
        SchemaRegistryClient client = new CachedSchemaRegistryClient(registry.url(), 10);
        client.updateConfig("incompatible-value", new Config("NONE"));
        int otherId = client.register("incompatible-value", new AvroSchema(other));
        byte[] incompatible = wire(otherId, new Schema.Parser().parse(other), r -> r.put("id", 5));
        RecordDecodeException inc = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("incompatible", incompatible));
        assertThat(inc.reason()).isEqualTo(RecordDecodeException.Reason.INCOMPATIBLE_SCHEMA);
        assertThat(inc).hasMessageContaining("eventTime");

        // The good record still decodes with the same codec.
        assertThat(codec.decode("reasons", good)).isEqualTo(text(1));
    }

    @Test
    void registryUnavailableIsTransientNotADeadLetter() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RegistryConfig down = RegistryConfig.builder().setUrl("http://127.0.0.1:" + closedPort).build();
        AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, down);
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("t", new byte[]{0, 0, 0, 0, 1, 2}));
        assertThat(e.reason()).isEqualTo(RecordDecodeException.Reason.REGISTRY_UNAVAILABLE);
        assertThat(e.isTransient()).isTrue();
        RecordEncodeException enc = catchThrowableOfType(RecordEncodeException.class,
                () -> codec.encode("t", text(1)));
        assertThat(enc.reason()).isEqualTo(RecordEncodeException.Reason.REGISTRY_UNAVAILABLE);
    }

    @Test
    void recordsWrittenWithOlderAndNewerCompatibleSchemasDecodeIntoOurClass() throws Exception {
        Schema current = LabeledText.getClassSchema();
        ObjectNode olderJson = (ObjectNode) JSON.readTree(current.toString());
        ArrayNode olderFields = JSON.createArrayNode();
        olderJson.withArray("fields").forEach(f -> {
            String name = f.get("name").asText();
            if (!name.equals("weight") && !name.equals("modelKey")) {
                olderFields.add(f);
            }
        });
        olderJson.set("fields", olderFields);
        Schema older = new Schema.Parser().parse(olderJson.toString());
        ObjectNode newerJson = (ObjectNode) JSON.readTree(current.toString());
        newerJson.withArray("fields").addObject().put("name", "source").put("type", "string").put("default", "web");
        Schema newer = new Schema.Parser().parse(newerJson.toString());

        SchemaRegistryClient client = new CachedSchemaRegistryClient(registry.url(), 10);
        int olderId = client.register("evolution-value", new AvroSchema(older.toString()));
        int newerId = client.register("evolution-value", new AvroSchema(newer.toString()));
        assertThat(client.getAllVersions("evolution-value")).hasSize(2);

        AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, config);
        LabeledText fromOlder = codec.decode("evolution", wire(olderId, older, r -> {
            r.put("id", "old-1");
            r.put("text", "hello");
            r.put("label", "ham");
            r.put("eventTime", 1_700_000_000_123L);
        }));
        assertThat(fromOlder.getId()).isEqualTo("old-1");
        assertThat(fromOlder.getLabel()).isEqualTo("ham");
        assertThat(fromOlder.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(fromOlder.getWeight()).isNull();
        assertThat(fromOlder.getModelKey()).isNull();

        LabeledText fromNewer = codec.decode("evolution", wire(newerId, newer, r -> {
            r.put("id", "new-1");
            r.put("text", "buy now");
            r.put("label", null);
            r.put("eventTime", 1_700_000_000_456L);
            r.put("modelKey", "tenant-b");
            r.put("weight", 2.0f);
            r.put("source", "mobile");
        }));
        assertThat(fromNewer.getId()).isEqualTo("new-1");
        assertThat(fromNewer.getModelKey()).isEqualTo("tenant-b");
        assertThat(fromNewer.getWeight()).isEqualTo(2.0f);
    }

    @Test
    void subjectNameStrategiesAndAutoRegisterOff() throws Exception {
        SchemaRegistryClient client = new CachedSchemaRegistryClient(registry.url(), 10);
        RegistryConfig byRecord = RegistryConfig.builder().setUrl(registry.url())
                .optSubjectNameStrategy(SubjectNameStrategy.RECORD).build();
        AvroRegistryCodec.forClass(ModelPayload.class, byRecord).encode("any-topic",
                ModelPayload.newBuilder().setFormatVersion(1).setChecksum("c").setBytes(ByteBuffer.allocate(1)).build());
        RegistryConfig byTopicRecord = RegistryConfig.builder().setUrl(registry.url())
                .optSubjectNameStrategy(SubjectNameStrategy.TOPIC_RECORD).build();
        AvroRegistryCodec.forClass(SourceOffset.class, byTopicRecord).encode("offsets",
                SourceOffset.newBuilder().setTopic("t").setPartition(0).setOffset(1).build());
        AvroRegistryCodec.forClass(SourceOffset.class, config, true).encode("keyed",
                SourceOffset.newBuilder().setTopic("t").setPartition(0).setOffset(1).build());
        assertThat(client.getAllSubjects()).contains("io.bulwark.avro.ModelPayload",
                "offsets-io.bulwark.avro.SourceOffset", "keyed-key");

        RegistryConfig noAuto = RegistryConfig.builder().setUrl(registry.url()).optAutoRegister(false).build();
        RecordEncodeException rejected = catchThrowableOfType(RecordEncodeException.class,
                () -> AvroRegistryCodec.forClass(LabeledText.class, noAuto).encode("never-registered", text(1)));
        assertThat(rejected.reason()).isEqualTo(RecordEncodeException.Reason.SCHEMA_REJECTED);
        assertThat(rejected).hasMessageContaining("never-registered-value");
        // With auto-register off, an already registered schema is looked up.
        AvroRegistryCodec.forClass(LabeledText.class, config).encode("registered", text(1));
        byte[] bytes = AvroRegistryCodec.forClass(LabeledText.class, noAuto).encode("registered", text(2));
        assertThat(AvroRegistryCodec.forClass(LabeledText.class, noAuto).decode("registered", bytes))
                .isEqualTo(text(2));
    }

    @Test
    void aJavaSerializedCodecWorksInAnotherPlace() throws Exception {
        AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, config);
        byte[] bytes = codec.encode("shipped", text(3));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
            out.writeObject(codec);
        }
        @SuppressWarnings("unchecked")
        AvroRegistryCodec<LabeledText> copy = (AvroRegistryCodec<LabeledText>) new ObjectInputStream(
                new ByteArrayInputStream(buf.toByteArray())).readObject();
        assertThat(copy.decode("shipped", bytes)).isEqualTo(text(3));
        assertThat(copy.encode("shipped", text(3))).isEqualTo(bytes);
    }

    @Test
    void basicAuthCredentialsReachTheRegistry() {
        try (SchemaRegistryServer secured = SchemaRegistryServer.start(SchemaRegistryServer.Options.builder()
                .setBootstrapServers(kafka.bootstrapServers()).optTopic("_schemas_codec_auth")
                .optBasicAuthUserInfo("svc:pw").build())) {
            RegistryConfig ok = RegistryConfig.builder().setUrl(secured.url()).optBasicAuthUserInfo("svc:pw").build();
            AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, ok);
            assertThat(codec.decode("auth", codec.encode("auth", text(5)))).isEqualTo(text(5));
            RegistryConfig wrong = RegistryConfig.builder().setUrl(secured.url()).optBasicAuthUserInfo("svc:nope")
                    .build();
            RecordEncodeException denied = catchThrowableOfType(RecordEncodeException.class,
                    () -> AvroRegistryCodec.forClass(LabeledText.class, wrong).encode("auth", text(5)));
            assertThat(denied).hasMessageContaining("401");
        }
    }

    private interface Filler {
        void fill(GenericRecord r);
    }

    private static byte[] wire(int id, Schema schema, Filler filler) throws Exception {
        GenericRecord r = new GenericData.Record(schema);
        filler.fill(r);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static RecordDecodeException.Reason reason(AvroRegistryCodec<?> codec, byte[] bytes) {
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("reasons", bytes));
        assertThat(e).as("expected a RecordDecodeException").isNotNull();
        return e.reason();
    }
}
