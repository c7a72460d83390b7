package io.bulwark.cli.local;

import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * A Kafka cluster (KRaft: one broker, or three) and a schema registry, with the job's topics created: what
 * {@code stack}, {@code demo}, {@code bench} and the integration tests run against. The registry runs in this JVM;
 * the brokers too, unless each is asked to run as a process of its own.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.start(0, 0, null)) {
 *     stack.createTopics(TopicLayout.of(conf, 2, Duration.ofDays(7)));
 *     conf.set(JobOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

    private final EmbeddedKafka kafka;
    private final SchemaRegistryServer registry;

    private EmbeddedStack(EmbeddedKafka kafka, SchemaRegistryServer registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /**
     * Starts the broker and the registry.
     *
     * @param kafkaPort the broker port, 0 for a free one
     * @param registryPort the registry port, 0 for a free one
     * @param dataDir the broker's data directory (kept), or null for a temporary one (deleted on close)
     */
    public static EmbeddedStack start(int kafkaPort, int registryPort, Path dataDir) {
        EmbeddedKafka.Options.Builder options = EmbeddedKafka.Options.builder().optPort(kafkaPort);
        if (dataDir != null) {
            options.optDataDir(dataDir);
        }
        return start(options.build(), registryPort);
    }

    /**
     * Starts the brokers the options describe (e.g. three, each in a process of its own) and the registry.
     *
     * @param registryPort the registry port, 0 for a free one
     */
    public static EmbeddedStack start(EmbeddedKafka.Options kafkaOptions, int registryPort) {
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaOptions);
        try {
            SchemaRegistryServer registry = SchemaRegistryServer.start(kafka.bootstrapServers(), registryPort);
            LOG.info("Embedded stack up: Kafka {}, schema registry {}", kafka.bootstrapServers(), registry.url());
            return new EmbeddedStack(kafka, registry);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** Creates the layout's topics that do not exist yet. */
    public void createTopics(TopicLayout layout) {
        for (Map.Entry<String, Integer> t : layout.partitions().entrySet()) {
            kafka.createTopic(t.getKey(), t.getValue(), layout.config(t.getKey()));
        }
    }

    /** Returns the bootstrap servers: every broker's host:port. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Returns the registry URL. */
    public String registryUrl() {
        return registry.url();
    }

    /** Returns the brokers. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
