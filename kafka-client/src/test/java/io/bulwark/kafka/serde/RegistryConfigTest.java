package io.bulwark.kafka.serde;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryConfigTest {

    @Test
    void defaultsFollowConfluent() {
        RegistryConfig cfg = RegistryConfig.builder().setUrl("http://localhost:8081").build();
        assertThat(cfg.subjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC);
        assertThat(cfg.autoRegister()).isTrue();
        assertThat(cfg.normalize()).isFalse();
        assertThat(cfg.cacheCapacity()).isEqualTo(1000);
        assertThat(cfg.basicAuthUserInfo()).isNull();
        assertThat(cfg.toClientProperties()).doesNotContainKey(RegistryConfig.BASIC_AUTH_USER_INFO);
    }

    @Test
    void clientPropertiesRoundTripThroughFromProperties() {
        RegistryConfig cfg = RegistryConfig.builder()
                .setUrl("http://a:8081, https://b:8081")
                .optBasicAuthUserInfo("user:pa:ss")
                .optSubjectNameStrategy(SubjectNameStrategy.TOPIC_RECORD)
                .optAutoRegister(false)
                .optNormalize(true)
                .optCacheCapacity(50)
                .optClientProperty("schema.registry.ssl.truststore.location", "/etc/ts.jks")
                .build();
        Map<String, Object> props = cfg.toClientProperties();
        assertThat(props).containsEntry("schema.registry.url", "http://a:8081,https://b:8081")
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "user:pa:ss")
                .containsEntry("auto.register.schemas", "false")
                .containsEntry("schema.registry.ssl.truststore.location", "/etc/ts.jks");
        assertThat(RegistryConfig.fromProperties(props, false)).isEqualTo(cfg);
        assertThat(cfg.urls()).containsExactly("http://a:8081", "https://b:8081");
    }

    @Test
    void readsConfluentStrategyClassNames() {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", "http://r:8081");
        props.put("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        props.put("key.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");
        assertThat(RegistryConfig.fromProperties(props, false).subjectNameStrategy())
                .isEqualTo(SubjectNameStrategy.RECORD);
        assertThat(RegistryConfig.fromProperties(props, true).subjectNameStrategy())
                .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThat(SubjectNameStrategy.parse("topic_record")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThatThrownBy(() -> SubjectNameStrategy.parse("Fancy")).hasMessageContaining("TOPIC, RECORD");
    }

    @Test
    void subjectNames() {
        assertThat(SubjectNameStrategy.TOPIC.subject("t", "a.B", false)).isEqualTo("t-value");
        assertThat(SubjectNameStrategy.TOPIC.subject("t", "a.B", true)).isEqualTo("t-key");
        assertThat(SubjectNameStrategy.RECORD.subject("t", "a.B", false)).isEqualTo("a.B");
        assertThat(SubjectNameStrategy.TOPIC_RECORD.subject("t", "a.B", true)).isEqualTo("t-a.B");
        assertThatThrownBy(() -> SubjectNameStrategy.TOPIC.subject(null, "a.B", false))
                .hasMessageContaining("topic is required");
    }

    @Test
    void invalidSettingsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> RegistryConfig.builder().build()).hasMessageContaining("registry URL");
        assertThatThrownBy(() -> RegistryConfig.builder().setUrl("localhost:8081").build())
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> RegistryConfig.builder().setUrl("http://r").optBasicAuthUserInfo("nopassword")
                .build()).hasMessageContaining("user:password");
        assertThatThrownBy(() -> RegistryConfig.builder().setUrl("http://r").optCacheCapacity(0).build())
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of(), false))
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r",
                "basic.auth.credentials.source", "SASL_INHERIT"), false)).hasMessageContaining("USER_INFO");
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://r",
                "auto.register.schemas", "maybe"), false)).hasMessageContaining("true or false");
    }

    @Test
    void toStringHidesThePassword() {
        RegistryConfig cfg = RegistryConfig.builder().setUrls(List.of("http://r:1")).optBasicAuthUserInfo("bob:hunter2")
                .build();
        assertThat(cfg.toString()).contains("bob:***").doesNotContain("hunter2");
    }

    @Test
    void isJavaSerializable() throws Exception {
        RegistryConfig cfg = RegistryConfig.builder().setUrl("http://r:1").optBasicAuthUserInfo("a:b").build();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
            out.writeObject(cfg);
        }
        Object back = new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray())).readObject();
        assertThat(back).isEqualTo(cfg);
    }
}
