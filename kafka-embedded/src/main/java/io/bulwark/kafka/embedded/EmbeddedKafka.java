package io.bulwark.kafka.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM, for the demo stack
 * and integration tests.
 *
 * <p>Internal topics use replication factor 1 and min ISR 1, so transactions and consumer groups work on one node.
 * Log data lives in {@link Options.Builder#optDataDir a data directory}: a temporary one (deleted on close) by
 * default, or a given one that is kept and reused on the next start.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().build())) {
 *     kafka.createTopic("labeled-text", 4, Map.of());
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDir;
    private final String bootstrapServers;
    private final Admin admin;
    private volatile boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, boolean deleteDataDir, String bootstrapServers) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDir = deleteDataDir;
        this.bootstrapServers = bootstrapServers;
        Map<String, Object> adminProps = new HashMap<>();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "bulwark-embedded-kafka-admin");
        this.admin = Admin.create(adminProps);
    }

    /** Starts a broker with default options: a temporary data directory and free ports. */
    public static EmbeddedKafka start() {
        return start(Options.builder().build());
    }

    /**
     * Starts a broker, formatting the data directory on first use, and returns once the broker accepts requests.
     *
     * @throws IllegalStateException when the broker cannot start (the message says why)
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
        Path logDir = dataDir.resolve("kraft-combined-logs");
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int brokerPort = options.port > 0 ? options.port : freePort(options.host);
            int controllerPort = freePort(options.host);
            Map<String, Object> props = brokerProperties(options, logDir, brokerPort, controllerPort);
            KafkaRaftServer server = null;
            try {
                KafkaConfig config = new KafkaConfig(props, false);
                formatIfNeeded(logDir);
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                String bootstrap = options.host + ":" + brokerPort;
                EmbeddedKafka kafka = new EmbeddedKafka(server, dataDir, tempDir, bootstrap);
                kafka.awaitReady(options.startTimeout);
                LOG.info("Embedded Kafka started at {} (data in {}) in {} ms", bootstrap, dataDir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                if (server != null) {
                    shutdownQuietly(server);
                }
                boolean portClash = hasCause(e, BindException.class);
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

    /** Returns {@code host:port} for clients. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns the data directory holding the broker's logs. */
    public Path dataDir() {
        return dataDir;
    }

    /** Returns an admin client bound to this broker; owned by this object, do not close it. */
    public Admin admin() {
        return admin;
    }

    /**
     * Creates a topic with replication factor 1, or does nothing when it already exists.
     *
     * @param configs topic configs, e.g. {@code cleanup.policy=compact} or {@code max.message.bytes}
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        if (partitions <= 0) {
            throw new IllegalArgumentException("Topic partitions must be positive, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1)
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

    /** Shuts the broker down cleanly, frees its ports and deletes a temporary data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        admin.close(Duration.ofSeconds(5));
        shutdownQuietly(server);
        if (deleteDataDir) {
            deleteRecursively(dataDir);
        }
        LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("Interrupted waiting for the embedded broker", e);
            }
        }
        close();
        throw new IllegalStateException("Embedded broker at " + bootstrapServers + " not ready within " + timeout,
                last);
    }

    static Map<String, Object> brokerProperties(Options options, Path logDir, int brokerPort, int controllerPort) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + options.host + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + options.host + ":" + brokerPort + "," + CONTROLLER_LISTENER
                + "://" + options.host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + options.host + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        // A single node: every internal topic must accept replication factor 1 and an ISR of 1.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Small footprint on a shared machine.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.putAll(options.brokerConfig);
        return p;
    }

    private static void formatIfNeeded(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka log directory " + logDir + ": " + e
                    + " " + out.toString(StandardCharsets.UTF_8), e);
        }
        LOG.debug("Formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).trim());
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + host, e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka shutdown failed", e);
        }
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

        private Options(Builder b) {
            this.dataDir = b.dataDir;
            this.port = b.port();
            this.host = b.host();
            this.brokerConfig = Collections.unmodifiableMap(new LinkedHashMap<>(b.brokerConfig));
            this.startTimeout = b.startTimeout;
        }

        /** Returns a builder with defaults: temporary data directory, free port, host 127.0.0.1. */
        public static Builder builder() {
            return new Builder();
        }

        /** Returns the data directory, or null for a temporary one. */
        public Path dataDir() {
            return dataDir;
        }

        /** Returns the client port, 0 for a free one. */
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
            private Duration startTimeout = Duration.ofSeconds(60);

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

            /** Sets how long to wait for the broker to become ready (default 60 s). */
            public Builder optStartTimeout(Duration timeout) {
                this.startTimeout = Objects.requireNonNull(timeout, "timeout");
                return this;
            }

            /** Validates and builds the options. */
            public Options build() {
                if (port() < 0 || port() > 65535) {
                    throw new IllegalArgumentException("Port must be 0 (free port) or 1..65535, got " + port());
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
