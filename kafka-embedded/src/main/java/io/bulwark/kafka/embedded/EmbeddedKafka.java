package io.bulwark.kafka.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real Kafka cluster (KRaft) of one or three nodes, for the local stack, the demo and integration tests. Each node
 * is broker and controller at once (combined mode); all listen on {@link Options.Builder#optHost the host}
 * (loopback by default).
 *
 * <p>One node uses replication factor 1 and min ISR 1 for every topic, internal ones included, so transactions and
 * consumer groups work. Three nodes form a controller quorum of three and use replication factor 3 and min ISR 2
 * everywhere ({@code __consumer_offsets}, {@code __transaction_state}, the registry's {@code _schemas} and every
 * topic {@link #createTopic} creates): the cluster keeps serving, and loses no acknowledged write, when one node
 * dies. The nodes run in this JVM, or each in a JVM of its own ({@link Options.Builder#optNodeProcesses}), which
 * {@link #kill} can SIGKILL.
 *
 * <p>Log data lives in {@link Options.Builder#optDataDir a data directory}: a temporary one (deleted on close) by
 * default, or a given one that is kept and reused on the next start. A single node keeps its log in
 * {@code kraft-combined-logs/}, node {@code i} of three in {@code broker-i/}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().optBrokers(3).build())) {
 *     kafka.createTopic("labeled-text", 4, Map.of());   // replication factor 3, min ISR 2
 *     String bootstrap = kafka.bootstrapServers();      // host:port of every broker
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int START_ATTEMPTS = 3;

    private final ClusterPlan plan;
    private final boolean nodeProcesses;
    private final Map<Integer, KafkaNode> nodes;
    private final boolean deleteDataDir;
    private final Admin admin;
    private volatile boolean closed;

    private EmbeddedKafka(ClusterPlan plan, boolean nodeProcesses, Map<Integer, KafkaNode> nodes,
                          boolean deleteDataDir) {
        this.plan = plan;
        this.nodeProcesses = nodeProcesses;
        this.nodes = nodes;
        this.deleteDataDir = deleteDataDir;
        Map<String, Object> adminProps = new HashMap<>();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plan.bootstrapServers());
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "bulwark-embedded-kafka-admin");
        this.admin = Admin.create(adminProps);
    }

    /** Starts a single broker with default options: a temporary data directory and free ports. */
    public static EmbeddedKafka start() {
        return start(Options.builder().build());
    }

    /**
     * Starts the cluster, formatting the nodes' log directories on first use, and returns once every broker
     * accepts requests.
     *
     * @throws IllegalStateException when the cluster cannot start (the message says why)
     */
    public static EmbeddedKafka start(Options options) {
        Objects.requireNonNull(options, "options");
        long t0 = System.nanoTime();
        boolean tempDir = options.dataDir == null;
        Path dataDir;
        try {
            dataDir = tempDir ? Files.createTempDirectory("bulwark-kafka-") : Files.createDirectories(options.dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka data directory", e);
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Map<Integer, KafkaNode> started = new ConcurrentHashMap<>();
            EmbeddedKafka kafka = null;
            try {
                ClusterPlan.checkDataDir(dataDir, options.brokers);
                ClusterPlan plan = ClusterPlan.allocate(options.host, options.brokers, options.port, dataDir,
                        options.brokerConfig);
                plan.formatIfNeeded();
                long deadline = System.nanoTime() + options.startTimeout.toNanos();
                NodeLauncher.start(plan, plan.nodeIds(), options.nodeProcesses, started, options.startTimeout);
                NodeLauncher.awaitStarted(started, plan.nodeIds(), deadline);
                kafka = new EmbeddedKafka(plan, options.nodeProcesses, started, tempDir);
                kafka.awaitListed(plan.nodeIds(), deadline);
                LOG.info("Embedded Kafka of {} node(s) started at {} (data in {}) in {} ms", plan.nodes(),
                        plan.bootstrapServers(), dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                if (kafka != null) {
                    kafka.admin.close(Duration.ofSeconds(5));
                }
                boolean portClash = hasCause(e, BindException.class) || started.values().stream()
                        .anyMatch(n -> n instanceof NodeProcess && ((NodeProcess) n).portClash());
                NodeLauncher.stopAll(started.values());
                if (!portClash || options.port > 0 || attempt == START_ATTEMPTS) {
                    break;
                }
                LOG.warn("Embedded Kafka port was taken between selection and bind; retrying ({}/{})", attempt,
                        START_ATTEMPTS);
            }
        }
        if (tempDir) {
            deleteRecursively(dataDir);
        }
        throw new IllegalStateException("Embedded Kafka failed to start in " + dataDir + ": " + last, last);
    }

    /** Returns {@code host:port} of every broker, comma-separated, for clients. */
    public String bootstrapServers() {
        return plan.bootstrapServers();
    }

    /** Returns the data directory holding the brokers' logs. */
    public Path dataDir() {
        return plan.dataDir();
    }

    /** Returns an admin client bound to this cluster; owned by this object, do not close it. */
    public Admin admin() {
        return admin;
    }

    /** Returns the number of brokers. */
    public int brokers() {
        return plan.nodes();
    }

    /** Returns the node ids, 1..{@link #brokers()}. */
    public List<Integer> nodeIds() {
        return plan.nodeIds();
    }

    /** Returns {@code host:port} of one broker. */
    public String brokerAddress(int nodeId) {
        node(nodeId);
        return plan.brokerAddress(nodeId);
    }

    /** Returns a node's log directory. */
    public Path logDir(int nodeId) {
        node(nodeId);
        return plan.logDir(nodeId);
    }

    /** Returns the id of the process a node runs in (this JVM's unless the nodes run as separate processes). */
    public long pid(int nodeId) {
        return node(nodeId).pid();
    }

    /** Returns true when a node runs. */
    public boolean alive(int nodeId) {
        return node(nodeId).alive();
    }

    /** Returns true when each node runs in a JVM of its own. */
    public boolean nodeProcesses() {
        return nodeProcesses;
    }

    /** Returns the replication factor of the cluster's topics: 1 for one broker, 3 for three. */
    public short replicationFactor() {
        return plan.replicationFactor();
    }

    /** Returns the {@code min.insync.replicas} of the cluster's topics: 1 for one broker, 2 for three. */
    public int minInsyncReplicas() {
        return plan.minInsyncReplicas();
    }

    /**
     * Kills a node with SIGKILL: no controlled shutdown, nothing flushed. Its partitions fail over to the other
     * replicas once the controller fences it (after {@code broker.session.timeout.ms}).
     *
     * @throws UnsupportedOperationException unless the nodes run as separate processes
     */
    public void kill(int nodeId) {
        node(nodeId).kill();
    }

    /** Starts a stopped or killed node again, with its log directory and ports, and waits until it is serving. */
    public synchronized void restart(int nodeId) {
        if (node(nodeId).alive()) {
            throw new IllegalStateException("Kafka node " + nodeId + " is running");
        }
        Duration timeout = Duration.ofMinutes(2);
        long deadline = System.nanoTime() + timeout.toNanos();
        NodeLauncher.start(plan, List.of(nodeId), nodeProcesses, nodes, timeout);
        NodeLauncher.awaitStarted(nodes, List.of(nodeId), deadline);
        awaitListed(List.of(nodeId), deadline);
        LOG.info("Kafka node {} restarted at {}", nodeId, plan.brokerAddress(nodeId));
    }

    /**
     * Creates a topic with the cluster's replication factor, or does nothing when it already exists.
     *
     * @param configs topic configs, e.g. {@code cleanup.policy=compact} or {@code max.message.bytes}
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        if (partitions <= 0) {
            throw new IllegalArgumentException("Topic partitions must be positive, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, plan.replicationFactor())
                .configs(configs == null ? Map.of() : new HashMap<>(configs));
        try {
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.debug("Created topic {} with {} partitions", name, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic '" + name + "': " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating topic '" + name + "'", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topic '" + name + "'", e);
        }
    }

    /** Shuts every node down cleanly, frees their ports and deletes a temporary data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        admin.close(Duration.ofSeconds(5));
        NodeLauncher.stopAll(nodes.values());
        if (deleteDataDir) {
            deleteRecursively(plan.dataDir());
        }
        LOG.info("Embedded Kafka at {} stopped in {} ms", plan.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private KafkaNode node(int nodeId) {
        KafkaNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("No Kafka node " + nodeId + "; nodes are " + plan.nodeIds());
        }
        return node;
    }

    /** Waits until the cluster lists the given nodes as brokers. */
    private void awaitListed(List<Integer> ids, long deadline) {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            ids.forEach(id -> node(id).checkAlive());
            try {
                Set<Integer> listed = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                        .map(Node::id).collect(Collectors.toSet());
                if (listed.containsAll(ids)) {
                    return;
                }
                Thread.sleep(100);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for the embedded brokers", e);
            }
        }
        throw new IllegalStateException("Embedded brokers " + ids + " at " + plan.bootstrapServers()
                + " not listed by the cluster in time", last);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Cannot delete {}", dir, e);
        }
    }

    /** Options of an embedded broker: data directory, port, host and broker config overrides. */
    public static final class Options {
        private final Path dataDir;
        private final int port;
        private final String host;
        private final Map<String, String> brokerConfig;
        private final Duration startTimeout;
        private final int brokers;
        private final boolean nodeProcesses;

        private Options(Builder b) {
            this.brokers = b.brokers;
            this.nodeProcesses = b.nodeProcesses;
            this.dataDir = b.dataDir;
            this.port = b.port();
            this.host = b.host();
            this.brokerConfig = Collections.unmodifiableMap(new LinkedHashMap<>(b.brokerConfig));
            this.startTimeout = b.startTimeout;
        }

        /** Returns a builder with defaults: one broker, temporary data directory, free port, host 127.0.0.1. */
        public static Builder builder() {
            return new Builder();
        }

        /** Returns the data directory, or null for a temporary one. */
        public Path dataDir() {
            return dataDir;
        }

        /** Returns the number of brokers, 1 or 3. */
        public int brokers() {
            return brokers;
        }

        /** Returns the client port of the first broker (the others use the next ones), 0 for free ports. */
        public int port() {
            return port;
        }

        /** Returns the broker config overrides. */
        public Map<String, String> brokerConfig() {
            return brokerConfig;
        }

        /** Builds {@link Options}; every setting is optional. */
        public static final class Builder extends EndpointBuilder<Builder> {
            private Path dataDir;
            private final Map<String, String> brokerConfig = new LinkedHashMap<>();
            private Duration startTimeout = Duration.ofMinutes(3);
            private int brokers = 1;
            private boolean nodeProcesses;

            private Builder() {
            }

            @Override
            protected Builder self() {
                return this;
            }

            /** Sets a data directory that is kept on close and reused on the next start (default: a temp dir). */
            public Builder optDataDir(Path dataDir) {
                this.dataDir = dataDir;
                return this;
            }

            /**
             * Sets the number of brokers (default 1): 1, or 3 for a cluster that survives the loss of a broker
             * (a controller quorum of three; replication factor 3 and min ISR 2). With a port set, broker i listens
             * on port + i - 1.
             */
            public Builder optBrokers(int brokers) {
                this.brokers = brokers;
                return this;
            }

            /**
             * Runs each node in a JVM of its own (default false: all in this JVM), started from this JVM's java and
             * class path, so {@link EmbeddedKafka#kill} can SIGKILL one. The nodes stop when this JVM exits.
             */
            public Builder optNodeProcesses(boolean nodeProcesses) {
                this.nodeProcesses = nodeProcesses;
                return this;
            }

            /** Adds a broker config override, e.g. {@code message.max.bytes} or {@code transaction.max.timeout.ms}. */
            public Builder optBrokerConfig(String key, String value) {
                brokerConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
                return this;
            }

            /** Adds broker config overrides. */
            public Builder optBrokerConfig(Map<String, String> overrides) {
                overrides.forEach(this::optBrokerConfig);
                return this;
            }

            /** Sets how long to wait for the brokers to become ready (default 3 minutes). */
            public Builder optStartTimeout(Duration timeout) {
                this.startTimeout = Objects.requireNonNull(timeout, "timeout");
                return this;
            }

            /** Validates and builds the options. */
            public Options build() {
                if (port() < 0 || port() > 65535) {
                    throw new IllegalArgumentException("Port must be 0 (free port) or 1..65535, got " + port());
                }
                if (brokers != 1 && brokers != 3) {
                    throw new IllegalArgumentException("Brokers must be 1 or 3 (a quorum of three survives the loss "
                            + "of one; two would not), got " + brokers);
                }
                if (port() > 0 && port() + brokers - 1 > 65535) {
                    throw new IllegalArgumentException("Ports " + port() + ".." + (port() + brokers - 1)
                            + " exceed 65535");
                }
                if (host().isBlank()) {
                    throw new IllegalArgumentException("Host must not be blank");
                }
                for (String k : List.of("process.roles", "node.id", "controller.quorum.voters", "log.dirs")) {
                    if (brokerConfig.containsKey(k)) {
                        throw new IllegalArgumentException("Broker config '" + k
                                + "' is managed by EmbeddedKafka and cannot be overridden");
                    }
                }
                if (startTimeout.isNegative() || startTimeout.isZero()) {
                    throw new IllegalArgumentException("Start timeout must be positive");
                }
                return new Options(this);
            }
        }
    }
}
