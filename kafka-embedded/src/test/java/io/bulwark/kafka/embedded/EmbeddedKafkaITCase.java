package io.bulwark.kafka.embedded;

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
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaITCase {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder()
                .optBrokerConfig("message.max.bytes", Integer.toString(8 * 1024 * 1024))
                .build());
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void createTopicIsIdempotent() throws Exception {
        kafka.createTopic("idempotent", 3, Map.of("cleanup.policy", "compact"));
        kafka.createTopic("idempotent", 3, Map.of("cleanup.policy", "compact"));
        assertThat(kafka.admin().describeTopics(List.of("idempotent")).allTopicNames().get()
                .get("idempotent").partitions()).hasSize(3);
    }

    @Test
    void transactionalProducerCommitsAndReadCommittedConsumerSeesOnlyCommitted() {
        String topic = "tx-topic";
        kafka.createTopic(topic, 1, Map.of());
        Map<String, Object> pp = new HashMap<>();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1");
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted-1"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
            producer.commitTransaction();
        }
        List<String> seen = readAll(topic, 2, "read_committed");
        assertThat(seen).containsExactly("committed-1", "committed-2");
    }

    @Test
    void givenDataDirAndPortAreUsedAndDataSurvivesRestart(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedKafka.Options options = EmbeddedKafka.Options.builder().optDataDir(dir).optPort(port).build();
        try (EmbeddedKafka first = EmbeddedKafka.start(options)) {
            assertThat(first.bootstrapServers()).endsWith(":" + port);
            first.createTopic("durable", 1, Map.of());
            Map<String, Object> pp = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("durable", "k", "kept")).get();
            }
        }
        try (EmbeddedKafka second = EmbeddedKafka.start(options)) {
            assertThat(readAll(second.bootstrapServers(), "durable", 1, "read_uncommitted")).containsExactly("kept");
        }
    }

    @Test
    void managedBrokerSettingsCannotBeOverridden() {
        assertThatThrownBy(() -> EmbeddedKafka.Options.builder().optBrokerConfig("node.id", "7").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node.id");
    }

    private static List<String> readAll(String topic, int expected, String isolation) {
        return readAll(kafka.bootstrapServers(), topic, expected, isolation);
    }

    static List<String> readAll(String bootstrap, String topic, int expected, String isolation) {
        Map<String, Object> cp = new HashMap<>();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic + "-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
            // One more poll: nothing beyond the expected records may arrive.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
        }
        return out;
    }
}
