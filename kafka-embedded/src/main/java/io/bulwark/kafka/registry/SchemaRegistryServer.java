package io.bulwark.kafka.registry;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import io.bulwark.kafka.embedded.EndpointBuilder;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded schema registry speaking the Confluent Schema Registry REST API (the part clients use, AVRO only),
 * storing its state in a compacted Kafka topic and replaying it on start, so ids survive restarts.
 *
 * <p>One registry instance writes a given topic at a time. Supported endpoints are listed in the module's README.
 *
 * <pre>{@code
 * try (SchemaRegistryServer registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0)) {
 *     RegistryConfig cfg = RegistryConfig.builder().setUrl(registry.url()).build();
 * }
 * }</pre>
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and the
        // client's delayed ACK add ~40 ms to every response. Read once when the JDK server is first used.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The default schema topic, as Confluent's. */
    public static final String DEFAULT_TOPIC = "_schemas";

    private final HttpServer http;
    private final ExecutorService executor;
    private final SchemaLog log;
    private final String url;
    private volatile boolean closed;

    private SchemaRegistryServer(HttpServer http, ExecutorService executor, SchemaLog log, String url) {
        this.http = http;
        this.executor = executor;
        this.log = log;
        this.url = url;
    }

    /** Starts a registry on a port (0 for a free one), storing schemas in {@value #DEFAULT_TOPIC}. */
    public static SchemaRegistryServer start(String bootstrapServers, int port) {
        return start(Options.builder().setBootstrapServers(bootstrapServers).optPort(port).build());
    }

    /** Starts a registry with options, after replaying the schema topic. */
    public static SchemaRegistryServer start(Options options) {
        Objects.requireNonNull(options, "options");
        long t0 = System.nanoTime();
        SchemaLog log = new KafkaSchemaLog(options.bootstrapServers, options.topic, options.kafkaProperties,
                options.kafkaTimeout);
        return start(options, log, t0);
    }

    static SchemaRegistryServer start(Options options, SchemaLog log, long t0) {
        HttpServer http = null;
        ExecutorService executor = null;
        try {
            SchemaStore store = new SchemaStore(log, options.defaultCompatibility);
            http = HttpServer.create(new InetSocketAddress(options.host, options.port), 64);
            AtomicInteger threads = new AtomicInteger();
            executor = Executors.newFixedThreadPool(options.threads, r -> {
                Thread t = new Thread(r, "schema-registry-http-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            http.setExecutor(executor);
            http.createContext("/", new RegistryHttpHandler(store, options.basicAuthUserInfo));
            http.start();
            String advertised = options.host.equals("0.0.0.0") || options.host.equals("::") ? "localhost"
                    : options.host;
            String url = "http://" + advertised + ":" + http.getAddress().getPort();
            LOG.info("Schema registry serving {} from topic {} (started in {} ms)", url, options.topic,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new SchemaRegistryServer(http, executor, log, url);
        } catch (IOException e) {
            cleanup(http, executor, log);
            throw new UncheckedIOException("Cannot bind the schema registry to " + options.host + ":" + options.port,
                    e);
        } catch (RuntimeException e) {
            cleanup(http, executor, log);
            throw e;
        }
    }

    private static void cleanup(HttpServer http, ExecutorService executor, SchemaLog log) {
        if (http != null) {
            http.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        log.close();
    }

    /** Returns the base URL, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        return url;
    }

    /** Returns the bound port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Stops serving, frees the port and closes the Kafka clients. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.stop(0);
        executor.shutdownNow();
        log.close();
        LOG.info("Schema registry {} stopped", url);
    }

    /** Options of an embedded registry. */
    public static final class Options {
        private final String bootstrapServers;
        private final int port;
        private final String host;
        private final String topic;
        private final String basicAuthUserInfo;
        private final CompatibilityLevel defaultCompatibility;
        private final Map<String, Object> kafkaProperties;
        private final Duration kafkaTimeout;
        private final int threads;

        private Options(Builder b) {
            this.bootstrapServers = b.bootstrapServers;
            this.port = b.port();
            this.host = b.host();
            this.topic = b.topic;
            this.basicAuthUserInfo = b.basicAuthUserInfo;
            this.defaultCompatibility = b.defaultCompatibility;
            this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
            this.kafkaTimeout = b.kafkaTimeout;
            this.threads = b.threads;
        }

        /** Returns a new builder. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}: {@code setBootstrapServers} is required. */
        public static final class Builder extends EndpointBuilder<Builder> {
            private String bootstrapServers;
            private String topic = DEFAULT_TOPIC;
            private String basicAuthUserInfo;
            private CompatibilityLevel defaultCompatibility = CompatibilityLevel.BACKWARD;
            private final Map<String, Object> kafkaProperties = new LinkedHashMap<>();
            private Duration kafkaTimeout = Duration.ofSeconds(10);
            private int threads = 4;

            private Builder() {
            }

            @Override
            protected Builder self() {
                return this;
            }

            /** Sets the Kafka cluster that stores the schemas (required). */
            public Builder setBootstrapServers(String bootstrapServers) {
                this.bootstrapServers = bootstrapServers;
                return this;
            }

            /** Sets the compacted schema topic (default {@value SchemaRegistryServer#DEFAULT_TOPIC}). */
            public Builder optTopic(String topic) {
                this.topic = Objects.requireNonNull(topic, "topic");
                return this;
            }

            /** Requires HTTP basic auth with these {@code user:password} credentials (default: no auth). */
            public Builder optBasicAuthUserInfo(String userInfo) {
                this.basicAuthUserInfo = userInfo;
                return this;
            }

            /** Sets the global compatibility level used until one is configured (default BACKWARD). */
            public Builder optDefaultCompatibility(CompatibilityLevel level) {
                this.defaultCompatibility = Objects.requireNonNull(level, "level");
                return this;
            }

            /** Adds Kafka client settings (e.g. security) for the registry's producer, consumer and admin. */
            public Builder optKafkaProperties(Map<String, ?> properties) {
                kafkaProperties.putAll(properties);
                return this;
            }

            /** Sets the timeout of Kafka operations (default 10 s). */
            public Builder optKafkaTimeout(Duration timeout) {
                this.kafkaTimeout = Objects.requireNonNull(timeout, "timeout");
                return this;
            }

            /** Sets the number of HTTP worker threads (default 4). */
            public Builder optThreads(int threads) {
                this.threads = threads;
                return this;
            }

            /** Validates and builds the options. */
            public Options build() {
                if (bootstrapServers == null || bootstrapServers.isBlank()) {
                    throw new IllegalArgumentException("You must specify the Kafka bootstrap servers that store the "
                            + "schemas (setBootstrapServers)");
                }
                if (port() < 0 || port() > 65535) {
                    throw new IllegalArgumentException("Port must be 0 (free port) or 1..65535, got " + port());
                }
                if (topic.isBlank()) {
                    throw new IllegalArgumentException("Schema topic must not be blank");
                }
                if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 1) {
                    throw new IllegalArgumentException("Basic auth user info must look like user:password");
                }
                if (threads <= 0) {
                    throw new IllegalArgumentException("Threads must be positive, got " + threads);
                }
                if (kafkaTimeout.isNegative() || kafkaTimeout.isZero()) {
                    throw new IllegalArgumentException("Kafka timeout must be positive");
                }
                return new Options(this);
            }
        }
    }
}
