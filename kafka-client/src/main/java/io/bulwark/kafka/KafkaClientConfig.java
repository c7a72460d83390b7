package io.bulwark.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Bootstrap servers plus the user's security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}),
 * merged into producer, consumer and admin properties; serializable so Flink operators can carry it.
 *
 * <pre>{@code
 * KafkaClientConfig kafka = KafkaClientConfig.builder()
 *     .setBootstrapServers("broker:9093")
 *     .optSecurityFile(Path.of("client.properties"))   // security.protocol=SASL_SSL, sasl.jaas.config=...
 *     .build();
 * try (Producer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerProperties(), ser, ser)) { ... }
 * }</pre>
 */
public final class KafkaClientConfig implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientConfig.class);

    private final String bootstrapServers;
    private final Map<String, String> security;
    private final Map<String, String> common;

    private KafkaClientConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.security = Collections.unmodifiableMap(new LinkedHashMap<>(b.security));
        this.common = Collections.unmodifiableMap(new LinkedHashMap<>(b.common));
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns true for a key that belongs to the client's security settings. */
    public static boolean isSecurityKey(String key) {
        return key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.startsWith("sasl.")
                || key.startsWith("ssl.");
    }

    /** Returns the security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) of a map. */
    public static Map<String, String> securitySettings(Map<?, ?> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : settings.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (isSecurityKey(key) && e.getValue() != null) {
                out.put(key, String.valueOf(e.getValue()));
            }
        }
        return out;
    }

    /** Reads a Java properties file into a map. */
    public static Map<String, String> loadProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Kafka client properties file " + file, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name, p.getProperty(name));
        }
        return out;
    }

    /** Returns the bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns the security settings passed through to every client. */
    public Map<String, String> security() {
        return security;
    }

    /** Returns properties shared by every client: bootstrap servers, extra settings, then security settings. */
    public Properties commonProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(common);
        p.putAll(security);
        return p;
    }

    /** Returns producer properties (common settings, then the given overrides). */
    public Properties producerProperties(Map<String, ?> overrides) {
        return merged(overrides);
    }

    /** Returns producer properties. */
    public Properties producerProperties() {
        return merged(Map.of());
    }

    /** Returns consumer properties (common settings, then the given overrides). */
    public Properties consumerProperties(Map<String, ?> overrides) {
        return merged(overrides);
    }

    /** Returns consumer properties. */
    public Properties consumerProperties() {
        return merged(Map.of());
    }

    /** Returns admin-client properties (common settings, then the given overrides). */
    public Properties adminProperties(Map<String, ?> overrides) {
        return merged(overrides);
    }

    /** Returns admin-client properties. */
    public Properties adminProperties() {
        return merged(Map.of());
    }

    /** Returns the common settings as a map, e.g. for a Flink source or sink builder. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        commonProperties().forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }

    private Properties merged(Map<String, ?> overrides) {
        Properties p = commonProperties();
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            if (e.getValue() != null) {
                p.put(e.getKey(), e.getValue());
            }
        }
        return p;
    }

    @Override
    public String toString() {
        return "KafkaClientConfig{bootstrapServers=" + bootstrapServers + ", security=" + security.keySet()
                + ", common=" + common.keySet() + "}";
    }

    /** Builds a {@link KafkaClientConfig}: {@code setBootstrapServers} is required. */
    public static final class Builder {
        private String bootstrapServers;
        private final Map<String, String> security = new LinkedHashMap<>();
        private final Map<String, String> common = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets the bootstrap servers, {@code host:port[,host:port]} (required). */
        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /**
         * Adds the security settings of a map ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}); other
         * keys are ignored and listed in the log.
         */
        public Builder optSecurity(Map<?, ?> settings) {
            Objects.requireNonNull(settings, "settings");
            security.putAll(securitySettings(settings));
            TreeSet<String> ignored = new TreeSet<>();
            for (Object k : settings.keySet()) {
                if (!isSecurityKey(String.valueOf(k))) {
                    ignored.add(String.valueOf(k));
                }
            }
            if (!ignored.isEmpty()) {
                LOG.info("Ignoring non-security Kafka client settings {} (use optProperty to pass them)", ignored);
            }
            return this;
        }

        /** Adds the security settings of a Java properties file (e.g. a cloud provider's client.properties). */
        public Builder optSecurityFile(Path file) {
            return optSecurity(loadProperties(file));
        }

        /** Adds any client setting for every client (e.g. {@code client.dns.lookup}). */
        public Builder optProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (isSecurityKey(key)) {
                security.put(key, value);
            } else {
                common.put(key, value);
            }
            return this;
        }

        /** Validates and builds the config. */
        public KafkaClientConfig build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("You must specify the Kafka bootstrap servers (setBootstrapServers)");
            }
            String protocol = security.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
            if (protocol != null && !protocol.matches("PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL")) {
                throw new IllegalArgumentException("Unknown security.protocol '" + protocol
                        + "'; expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
            }
            return new KafkaClientConfig(this);
        }
    }
}
