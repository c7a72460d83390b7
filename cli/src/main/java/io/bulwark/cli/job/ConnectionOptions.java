package io.bulwark.cli.job;

import io.bulwark.kafka.KafkaClientConfig;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.kafka.serde.SubjectNameStrategy;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the CLI reaches an existing Kafka cluster and schema registry (with security pass-through). */
public final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (required).")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL", description = "Schema registry URL (required).")
    String registryUrl;

    @Option(names = "--registry-user-info", paramLabel = "USER:PASSWORD",
            description = "Schema registry basic-auth credentials.")
    String registryUserInfo;

    @Option(names = "--subject-strategy", defaultValue = "TOPIC", paramLabel = "STRATEGY",
            description = "Subject name strategy: TOPIC, RECORD or TOPIC_RECORD (default: ${DEFAULT-VALUE}).")
    String subjectStrategy;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Java properties file with Kafka client security settings (security.protocol, sasl.*, "
                    + "ssl.*), e.g. a cloud provider's client.properties.")
    Path kafkaConfig;

    @Option(names = {"-X", "--kafka"}, paramLabel = "KEY=VALUE",
            description = "Any Kafka client setting, repeatable (e.g. -X security.protocol=SASL_SSL).")
    Map<String, String> kafka = new LinkedHashMap<>();

    /** Returns the Kafka client settings. */
    public KafkaClientConfig kafkaClient() {
        require(bootstrapServers, "--bootstrap-servers");
        KafkaClientConfig.Builder b = KafkaClientConfig.builder().setBootstrapServers(bootstrapServers);
        if (kafkaConfig != null) {
            b.optSecurityFile(kafkaConfig);
        }
        kafka.forEach(b::optProperty);
        return b.build();
    }

    /** Returns the registry settings. */
    public RegistryConfig registry() {
        require(registryUrl, "--registry-url");
        RegistryConfig.Builder b = RegistryConfig.builder().setUrl(registryUrl)
                .optSubjectNameStrategy(SubjectNameStrategy.parse(subjectStrategy));
        if (registryUserInfo != null) {
            b.optBasicAuthUserInfo(registryUserInfo);
        }
        return b.build();
    }

    private static void require(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Missing required option " + option);
        }
    }
}
