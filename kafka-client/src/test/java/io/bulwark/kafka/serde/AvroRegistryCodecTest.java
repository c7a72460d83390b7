package io.bulwark.kafka.serde;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Codec behaviour that needs no registry: header checks fail before any registry call. */
class AvroRegistryCodecTest {

    // Nothing listens here; a registry call would fail as REGISTRY_UNAVAILABLE, not UNDECODABLE.
    private final RegistryConfig cfg = RegistryConfig.builder().setUrl("http://127.0.0.1:9").build();
    private final AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, cfg);

    @Test
    void headerProblemsAreUndecodable() {
        assertThat(reason(null)).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        assertThat(reason(new byte[0])).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        assertThat(reason(new byte[]{0, 0, 0, 1})).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
        RecordDecodeException magic = catchThrowableOfType(RecordDecodeException.class,
                () -> codec.decode("topic-x", new byte[]{(byte) 0xab, 0, 0, 0, 1, 2}));
        assertThat(magic).hasMessageContaining("0xab").hasMessageContaining("topic-x");
        assertThat(magic.schemaId()).isEqualTo(-1);
        assertThat(magic.isTransient()).isFalse();
    }

    @Test
    void subjectsFollowTheStrategy() {
        assertThat(codec.subject("labeled-text")).isEqualTo("labeled-text-value");
        assertThat(AvroRegistryCodec.forClass(LabeledText.class, cfg, true).subject("labeled-text"))
                .isEqualTo("labeled-text-key");
        RegistryConfig byRecord = RegistryConfig.builder().setUrl("http://r:1")
                .optSubjectNameStrategy(SubjectNameStrategy.RECORD).build();
        assertThat(AvroRegistryCodec.forClass(ModelSnapshot.class, byRecord).subject("snapshots"))
                .isEqualTo("io.bulwark.avro.ModelSnapshot");
    }

    @Test
    void nullRecordEncodesToNull() {
        assertThat(codec.encode("t", null)).isNull();
    }

    @Test
    void unconfiguredKafkaSerdesSayWhatIsMissing() {
        assertThatThrownBy(() -> new RegistryAvroSerializer<LabeledText>().serialize("t", null))
                .hasMessageContaining("bulwark.avro.class");
        RegistryAvroDeserializer<LabeledText> d = new RegistryAvroDeserializer<>();
        assertThatThrownBy(() -> d.configure(Map.of("schema.registry.url", "http://r:1"), false))
                .hasMessageContaining("bulwark.avro.class");
        assertThatThrownBy(() -> d.configure(Map.of("schema.registry.url", "http://r:1",
                "bulwark.avro.class", "java.lang.String"), false)).hasMessageContaining("SpecificRecord");
        assertThatThrownBy(() -> d.configure(Map.of("schema.registry.url", "http://r:1",
                "bulwark.avro.class", "no.such.Type"), false)).hasMessageContaining("not found");
        d.configure(Map.of("schema.registry.url", "http://r:1", "bulwark.avro.class", LabeledText.class.getName()),
                false);
        assertThat(d.deserialize("t", null)).isNull();
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> d.deserialize("t", new byte[]{1}));
        assertThat(e.reason()).isEqualTo(RecordDecodeException.Reason.UNDECODABLE);
    }

    private RecordDecodeException.Reason reason(byte[] bytes) {
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class, () -> codec.decode("t", bytes));
        assertThat(e).isNotNull();
        return e.reason();
    }
}
