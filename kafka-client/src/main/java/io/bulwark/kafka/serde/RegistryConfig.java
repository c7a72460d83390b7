package io.bulwark.kafka.serde;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach a Confluent-compatible schema registry and how to name subjects; serializable so Flink can ship it
 * inside operators.
 *
 * <pre>{@code
 * RegistryConfig cfg = RegistryConfig.builder()
 *     .setUrl("http://localhost:8081")
 *     .optBasicAuthUserInfo("user:secret")
 *     .optSubjectNameStrategy(SubjectNameStrategy.TOPIC)
 *     .build();
 * }</pre>
 */
public final class RegistryConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Comma-separated registry URLs (Confluent's key). */
    public static final String URL = "schema.registry.url";
    /** Where basic-auth credentials come from; only {@code USER_INFO} is supported (Confluent's key). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** Basic-auth credentials as {@code user:password} (Confluent's key). */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Whether the serializer registers a schema it does not find (Confluent's key, default true). */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** Whether schemas are normalized before registration and lookup (Confluent's key, default false). */
    public static final String NORMALIZE = "normalize.schemas";
    /** Size of the client's schema caches (Confluent's key, default 1000). */
    public static final String CACHE_CAPACITY = "max.schemas.per.subject";
    /** Subject name strategy: {@code TOPIC}, {@code RECORD} or {@code TOPIC_RECORD}. */
    public static final String SUBJECT_NAME_STRATEGY = "bulwark.subject.name.strategy";
    /** Confluent's per-side strategy keys, read as well (the class name's simple name decides). */
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /** Confluent's key-side strategy key. */
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    /** The only supported credentials source. */
    public static final String USER_INFO = "USER_INFO";
    /** Default cache capacity. */
    public static final int DEFAULT_CACHE_CAPACITY = 1000;

    private final List<String> urls;
    private final String basicAuthUserInfo;
    private final SubjectNameStrategy subjectNameStrategy;
    private final boolean autoRegister;
    private final boolean normalize;
    private final int cacheCapacity;
    private final Map<String, String> clientProperties;

    private RegistryConfig(Builder b) {
        this.urls = Collections.unmodifiableList(new ArrayList<>(b.urls));
        this.basicAuthUserInfo = b.basicAuthUserInfo;
        this.subjectNameStrategy = b.subjectNameStrategy;
        this.autoRegister = b.autoRegister;
        this.normalize = b.normalize;
        this.cacheCapacity = b.cacheCapacity;
        this.clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.clientProperties));
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a config from Kafka-style properties: {@value #URL}, {@value #BASIC_AUTH_CREDENTIALS_SOURCE},
     * {@value #BASIC_AUTH_USER_INFO}, {@value #AUTO_REGISTER}, {@value #NORMALIZE}, {@value #CACHE_CAPACITY},
     * {@value #SUBJECT_NAME_STRATEGY} (or Confluent's {@value #VALUE_SUBJECT_NAME_STRATEGY} /
     * {@value #KEY_SUBJECT_NAME_STRATEGY}), and any {@code schema.registry.*} client setting (e.g. SSL).
     */
    public static RegistryConfig fromProperties(Map<String, ?> props, boolean isKey) {
        Builder b = builder();
        Object url = props.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException("Missing required property '" + URL + "' (the schema registry URL)");
        }
        b.setUrls(splitUrls(url.toString()));
        Object source = props.get(BASIC_AUTH_CREDENTIALS_SOURCE);
        Object userInfo = props.get(BASIC_AUTH_USER_INFO);
        if (userInfo == null) {
            userInfo = props.get("schema.registry." + BASIC_AUTH_USER_INFO);
        }
        if (source != null && !source.toString().isBlank() && !USER_INFO.equals(source.toString().trim())) {
            throw new IllegalArgumentException("Unsupported " + BASIC_AUTH_CREDENTIALS_SOURCE + " '" + source
                    + "': only " + USER_INFO + " (with " + BASIC_AUTH_USER_INFO + "=user:password) is supported");
        }
        if (userInfo != null && !userInfo.toString().isEmpty()) {
            b.optBasicAuthUserInfo(userInfo.toString());
        }
        Object strategy = props.get(SUBJECT_NAME_STRATEGY);
        if (strategy == null) {
            strategy = props.get(isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY);
        }
        if (strategy != null) {
            b.optSubjectNameStrategy(SubjectNameStrategy.parse(strategy instanceof Class
                    ? ((Class<?>) strategy).getName() : strategy.toString()));
        }
        if (props.get(AUTO_REGISTER) != null) {
            b.optAutoRegister(parseBoolean(AUTO_REGISTER, props.get(AUTO_REGISTER)));
        }
        if (props.get(NORMALIZE) != null) {
            b.optNormalize(parseBoolean(NORMALIZE, props.get(NORMALIZE)));
        }
        if (props.get(CACHE_CAPACITY) != null) {
            try {
                b.optCacheCapacity(Integer.parseInt(props.get(CACHE_CAPACITY).toString().trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(CACHE_CAPACITY + " must be an integer, got '"
                        + props.get(CACHE_CAPACITY) + "'", e);
            }
        }
        for (Map.Entry<String, ?> e : props.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("schema.registry.") && !k.equals(URL) && !k.endsWith(BASIC_AUTH_USER_INFO)
                    && e.getValue() != null) {
                b.optClientProperty(k, e.getValue().toString());
            }
        }
        return b.build();
    }

    /** Returns the registry URLs. */
    public List<String> urls() {
        return urls;
    }

    /** Returns the {@code user:password} credentials, or null when basic auth is off. */
    public String basicAuthUserInfo() {
        return basicAuthUserInfo;
    }

    /** Returns how subjects are named. */
    public SubjectNameStrategy subjectNameStrategy() {
        return subjectNameStrategy;
    }

    /** Returns whether unknown writer schemas are registered on first use. */
    public boolean autoRegister() {
        return autoRegister;
    }

    /** Returns whether schemas are normalized for registration and lookup. */
    public boolean normalize() {
        return normalize;
    }

    /** Returns the client's cache capacity. */
    public int cacheCapacity() {
        return cacheCapacity;
    }

    /** Returns extra registry-client settings passed through as is (e.g. {@code schema.registry.ssl.*}). */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /**
     * Returns this config as Confluent-style client properties, usable both by the schema registry client and as
     * Kafka producer/consumer properties for {@link RegistryAvroSerializer} / {@link RegistryAvroDeserializer}.
     */
    public Map<String, Object> toClientProperties() {
        Map<String, Object> p = new LinkedHashMap<>(clientProperties);
        p.put(URL, String.join(",", urls));
        if (basicAuthUserInfo != null) {
            p.put(BASIC_AUTH_CREDENTIALS_SOURCE, USER_INFO);
            p.put(BASIC_AUTH_USER_INFO, basicAuthUserInfo);
        }
        p.put(AUTO_REGISTER, Boolean.toString(autoRegister));
        p.put(NORMALIZE, Boolean.toString(normalize));
        p.put(CACHE_CAPACITY, Integer.toString(cacheCapacity));
        p.put(SUBJECT_NAME_STRATEGY, subjectNameStrategy.name());
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RegistryConfig)) {
            return false;
        }
        RegistryConfig that = (RegistryConfig) o;
        return autoRegister == that.autoRegister && normalize == that.normalize
                && cacheCapacity == that.cacheCapacity && urls.equals(that.urls)
                && Objects.equals(basicAuthUserInfo, that.basicAuthUserInfo)
                && subjectNameStrategy == that.subjectNameStrategy && clientProperties.equals(that.clientProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(urls, basicAuthUserInfo, subjectNameStrategy, autoRegister, normalize, cacheCapacity,
                clientProperties);
    }

    @Override
    public String toString() {
        String auth = basicAuthUserInfo == null ? "none"
                : basicAuthUserInfo.substring(0, Math.max(0, basicAuthUserInfo.indexOf(':'))) + ":***";
        return "RegistryConfig{urls=" + urls + ", basicAuth=" + auth + ", subjectNameStrategy=" + subjectNameStrategy
                + ", autoRegister=" + autoRegister + ", normalize=" + normalize + ", cacheCapacity=" + cacheCapacity
                + ", clientProperties=" + clientProperties.keySet() + "}";
    }

    private static List<String> splitUrls(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static boolean parseBoolean(String key, Object value) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
    }

    /** Builds a {@link RegistryConfig}: {@code setUrl}/{@code setUrls} is required, the rest optional. */
    public static final class Builder {
        private final List<String> urls = new ArrayList<>();
        private String basicAuthUserInfo;
        private SubjectNameStrategy subjectNameStrategy = SubjectNameStrategy.TOPIC;
        private boolean autoRegister = true;
        private boolean normalize;
        private int cacheCapacity = DEFAULT_CACHE_CAPACITY;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets one registry URL, or several separated by commas (required). */
        public Builder setUrl(String url) {
            Objects.requireNonNull(url, "url");
            return setUrls(splitUrls(url));
        }

        /** Sets the registry URLs (required; the client fails over between them). */
        public Builder setUrls(List<String> urls) {
            Objects.requireNonNull(urls, "urls");
            this.urls.clear();
            this.urls.addAll(urls);
            return this;
        }

        /** Sets basic-auth credentials as {@code user:password} (credentials source USER_INFO). */
        public Builder optBasicAuthUserInfo(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        /** Sets how subjects are named (default {@link SubjectNameStrategy#TOPIC}). */
        public Builder optSubjectNameStrategy(SubjectNameStrategy strategy) {
            this.subjectNameStrategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** Sets whether unknown writer schemas are registered on first use (default true). */
        public Builder optAutoRegister(boolean autoRegister) {
            this.autoRegister = autoRegister;
            return this;
        }

        /** Sets whether schemas are normalized before registration and lookup (default false). */
        public Builder optNormalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** Sets the client's schema cache capacity (default 1000). */
        public Builder optCacheCapacity(int cacheCapacity) {
            this.cacheCapacity = cacheCapacity;
            return this;
        }

        /** Adds a registry-client setting passed through as is, e.g. {@code schema.registry.ssl.truststore.location}. */
        public Builder optClientProperty(String key, String value) {
            clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Validates and builds the config. */
        public RegistryConfig build() {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("You must specify the schema registry URL (setUrl)");
            }
            for (String u : urls) {
                if (!(u.startsWith("http://") || u.startsWith("https://"))) {
                    throw new IllegalArgumentException("Schema registry URL must start with http:// or https://, got '"
                            + u + "'");
                }
            }
            if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 1) {
                throw new IllegalArgumentException("Basic auth user info must look like user:password");
            }
            if (cacheCapacity <= 0) {
                throw new IllegalArgumentException("Cache capacity must be positive, got " + cacheCapacity);
            }
            return new RegistryConfig(this);
        }
    }
}
