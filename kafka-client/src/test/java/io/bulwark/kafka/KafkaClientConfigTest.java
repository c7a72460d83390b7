package io.bulwark.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaClientConfigTest {

    @Test
    void securitySettingsFromAFileReachEveryClient(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, String.join("\n",
                "bootstrap.servers=ignored:9092",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username='u' password='p';",
                "ssl.endpoint.identification.algorithm=https",
                "session.timeout.ms=45000"));
        KafkaClientConfig cfg = KafkaClientConfig.builder().setBootstrapServers("broker:9093")
                .optSecurityFile(file).build();
        for (Properties p : new Properties[]{cfg.producerProperties(), cfg.consumerProperties(),
                cfg.adminProperties()}) {
            assertThat(p).containsEntry("bootstrap.servers", "broker:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "PLAIN")
                    .containsEntry("ssl.endpoint.identification.algorithm", "https")
                    .doesNotContainKey("session.timeout.ms");
        }
        assertThat(cfg.security()).hasSize(4);
    }

    @Test
    void overridesWinAndExtraPropertiesPassThrough() {
        KafkaClientConfig cfg = KafkaClientConfig.builder().setBootstrapServers("b:1")
                .optSecurity(Map.of("security.protocol", "SSL", "ssl.truststore.location", "/ts"))
                .optProperty("client.dns.lookup", "use_all_dns_ips")
                .build();
        Properties p = cfg.producerProperties(Map.of("acks", "all", "ssl.truststore.location", "/other"));
        assertThat(p).containsEntry("acks", "all").containsEntry("client.dns.lookup", "use_all_dns_ips")
                .containsEntry("ssl.truststore.location", "/other");
        assertThat(cfg.asMap()).containsEntry("security.protocol", "SSL");
        assertThat(KafkaClientConfig.securitySettings(Map.of("sasl.x", 1, "group.id", "g")))
                .containsOnlyKeys("sasl.x");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> KafkaClientConfig.builder().build()).hasMessageContaining("bootstrap servers");
        assertThatThrownBy(() -> KafkaClientConfig.builder().setBootstrapServers("b:1")
                .optSecurity(Map.of("security.protocol", "TLS")).build()).hasMessageContaining("SASL_SSL");
        assertThatThrownBy(() -> KafkaClientConfig.builder().optSecurityFile(Path.of("/no/such/file")))
                .hasMessageContaining("/no/such/file");
    }
}
