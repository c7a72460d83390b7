package io.bulwark.kafka.registry;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@link SchemaLog} in a single-partition compacted Kafka topic; writes wait for acknowledgement from all in-sync
 * replicas.
 */
final class KafkaSchemaLog implements SchemaLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaLog.class);

    private final String topic;
    private final TopicPartition partition;
    private final Map<String, Object> clientProps;
    private final Duration timeout;
    private final KafkaProducer<String, String> producer;

    KafkaSchemaLog(String bootstrapServers, String topic, Map<String, ?> kafkaProperties, Duration timeout) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.timeout = timeout;
        this.clientProps = new HashMap<>(kafkaProperties);
        clientProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        ensureTopic();
        Map<String, Object> producerProps = new HashMap<>(clientProps);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "bulwark-schema-registry-" + topic);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
    }

    private void ensureTopic() {
        try (Admin admin = Admin.create(clientProps)) {
            TopicDescription description;
            try {
                description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                int nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
                short rf = (short) Math.max(1, Math.min(3, nodes));
                NewTopic newTopic = new NewTopic(topic, 1, rf)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Created schema topic {} (compacted, replication factor {})", topic, rf);
                } catch (ExecutionException ce) {
                    if (!(ce.getCause() instanceof TopicExistsException)) {
                        throw ce;
                    }
                }
                return;
            }
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("Schema topic '" + topic + "' has " + description.partitions().size()
                        + " partitions; the registry needs exactly 1 to keep its changes in order");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains("delete")) {
                LOG.warn("Schema topic {} has cleanup.policy={}; use compact so schemas are never deleted by "
                        + "retention", topic, policy);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot prepare schema topic '" + topic + "': " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out preparing schema topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted preparing schema topic '" + topic + "'", e);
        }
    }

    @Override
    public void replay(Consumer<Entry> sink) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bulwark-schema-registry-replay-" + topic);
        long deadline = System.nanoTime() + timeout.toNanos() * 6;
        int count = 0;
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out replaying schema topic '" + topic + "' at offset "
                            + consumer.position(partition) + " of " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(new Entry(r.key(), r.value(), topic + "@" + r.offset()));
                    count++;
                }
            }
        }
        LOG.info("Replayed {} schema log entries from {}", count, topic);
    }

    @Override
    public void append(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, key, value)).get(timeout.toMillis() * 2,
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new RegistryError(500, RegistryError.STORE_ERROR,
                    "Error while storing the schema change in Kafka topic '" + topic + "': " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new RegistryError(500, RegistryError.OPERATION_TIMEOUT,
                    "Timed out storing the schema change in Kafka topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Interrupted storing the schema change", e);
        } catch (RuntimeException e) {
            throw new RegistryError(500, RegistryError.STORE_ERROR,
                    "Error while storing the schema change in Kafka topic '" + topic + "': " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
