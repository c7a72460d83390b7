package io.bulwark.kafka.embedded;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three nodes, each a JVM of its own: every topic, internal ones included, is replicated three times with two
 * replicas in sync required, and transactions go on without loss or duplicates when the broker holding the
 * transaction coordinator is killed with SIGKILL.
 */
class ThreeBrokerClusterITCase {

    private static final String TX_STATE = "__transaction_state";
    private static final String OFFSETS = "__consumer_offsets";

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startCluster() {
        kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().optBrokers(3).optNodeProcesses(true).build());
    }

    @AfterAll
    static void stopCluster() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void nodesAreSeparateProcessesWithTheirOwnDataDirectories() {
        assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
        assertThat(kafka.nodeIds()).containsExactly(1, 2, 3);
        assertThat(kafka.nodeIds().stream().map(kafka::pid).distinct().collect(Collectors.toList())).hasSize(3)
                .doesNotContain(ProcessHandle.current().pid());
        for (int id : kafka.nodeIds()) {
            assertThat(kafka.logDir(id)).isEqualTo(kafka.dataDir().resolve("broker-" + id));
            assertThat(kafka.logDir(id).resolve("meta.properties")).exists();
        }
    }

    @Test
    void everyTopicHasThreeReplicasAndNeedsTwoInSync() throws Exception {
        kafka.createTopic("replicated", 2, Map.of());
        transaction("replicated", "tx-replicated");
        readCommitted("replicated", 1, "g-replicated");
        for (String topic : List.of("replicated", TX_STATE, OFFSETS)) {
            TopicDescription d = describe(topic);
            for (TopicPartitionInfo p : d.partitions()) {
                assertThat(p.replicas()).as(topic + "-" + p.partition() + " replicas").hasSize(3);
            }
            assertThat(minIsr(topic)).as(topic + " min.insync.replicas").isEqualTo("2");
        }
    }

    @Test
    void transactionsSurviveTheLossOfTheCoordinatorsBroker() throws Exception {
        String topic = "tx-failover";
        kafka.createTopic(topic, 1, Map.of());
        List<String> expected = new ArrayList<>();
        try (KafkaProducer<String, String> producer = transactionalProducer("tx-failover")) {
            commit(producer, topic, 0, 5, expected);
            abort(producer, topic, "before-kill");
            int coordinator = describe(TX_STATE).partitions().get(0).leader().id();
            kafka.kill(coordinator);
            assertThat(kafka.alive(coordinator)).isFalse();
            // The same producer finds the new coordinator once the controller has fenced the dead broker.
            commit(producer, topic, 5, 10, expected);
            abort(producer, topic, "after-kill");
            commit(producer, topic, 10, 15, expected);
            assertThat(readCommitted(topic, expected.size(), "g-failover")).as("read_committed after the kill")
                    .containsExactlyElementsOf(expected);

            kafka.restart(coordinator);
            assertThat(kafka.alive(coordinator)).isTrue();
            awaitFullIsr(topic, Duration.ofMinutes(2));
            awaitFullIsr(TX_STATE, Duration.ofMinutes(2));
        }
        assertThat(readCommitted(topic, expected.size(), "g-failover-after-restart")).as("after the restart")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void optionsAndDataDirectoriesOfAnotherClusterSizeAreRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> EmbeddedKafka.Options.builder().optBrokers(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 or 3");
        Files.createDirectories(dir.resolve("broker-1"));
        assertThatThrownBy(() -> EmbeddedKafka.start(EmbeddedKafka.Options.builder().optDataDir(dir).build()))
                .hasMessageContaining("holds the data of a cluster of several brokers (broker-1)")
                .hasMessageContaining("not of a single broker");
        assertThatThrownBy(() -> kafka.kill(4)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void commit(KafkaProducer<String, String> producer, String topic, int from, int to,
                               List<String> expected) {
        producer.beginTransaction();
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topic, "k", "committed-" + i));
            expected.add("committed-" + i);
        }
        producer.commitTransaction();
    }

    private static void abort(KafkaProducer<String, String> producer, String topic, String value) throws Exception {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", "aborted-" + value)).get();
        producer.abortTransaction();
    }

    private static void transaction(String topic, String id) {
        try (KafkaProducer<String, String> producer = transactionalProducer(id)) {
            commit(producer, topic, 0, 1, new ArrayList<>());
        }
    }

    /** A transactional producer, its transactions initialized. */
    private static KafkaProducer<String, String> transactionalProducer(String id) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000), new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    /** Reads the topic with read_committed in a consumer group (which commits, creating the offsets topic). */
    private static List<String> readCommitted(String topic, int expected, String group) {
        Map<String, Object> cp = new HashMap<>();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
            consumer.commitSync();
        }
        return out;
    }

    private static TopicDescription describe(String topic) throws Exception {
        return kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static String minIsr(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = kafka.admin().describeConfigs(List.of(r)).all().get().get(r);
        return c.get("min.insync.replicas").value();
    }

    private static void awaitFullIsr(String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<TopicPartitionInfo> partitions = describe(topic).partitions();
            if (partitions.stream().allMatch(p -> p.isr().size() == 3)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ISR of " + topic + " not back to 3 within " + timeout + ": " + partitions);
            }
            Thread.sleep(200);
        }
    }
}
