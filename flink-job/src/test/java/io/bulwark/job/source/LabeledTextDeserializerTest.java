package io.bulwark.job.source;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.testutil.FakeSchemaRegistry;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabeledTextDeserializerTest {

    private FakeSchemaRegistry registry;
    private AvroRegistryCodec<LabeledText> codec;
    private LabeledTextDeserializer deserializer;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        RegistryConfig config = RegistryConfig.builder().setUrl(registry.url()).build();
        codec = AvroRegistryCodec.forClass(LabeledText.class, config);
        deserializer = new LabeledTextDeserializer(AvroRegistryCodec.forClass(LabeledText.class, config));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static LabeledText event() {
        return LabeledText.newBuilder().setId("a").setText("hello").setLabel("ham").setModelKey("m")
                .setWeight(0.5f).setEventTime(Instant.ofEpochMilli(42)).build();
    }

    @Test
    void decodesAWireFormatRecord() throws IOException {
        InboundRecord r = deserializer.decode("t", 3, 17, 99, new byte[] {1}, codec.encode("t", event()));
        assertThat(r.isDecoded()).isTrue();
        assertThat(r.id).isEqualTo("a");
        assertThat(r.text).isEqualTo("hello");
        assertThat(r.modelKey).isEqualTo("m");
        assertThat(r.weight).isEqualTo(0.5f);
        assertThat(r.eventTime).isEqualTo(42);
        assertThat(r.partition).isEqualTo(3);
        assertThat(r.offset).isEqualTo(17);
    }

    @Test
    void badBytesBecomeUndecodableRecordsInsteadOfErrors() throws IOException {
        InboundRecord garbage = deserializer.decode("t", 0, 1, 0, null, "not avro".getBytes());
        assertThat(garbage.failureReason).isEqualTo("UNDECODABLE");
        assertThat(garbage.value).isEqualTo("not avro".getBytes());
        InboundRecord tombstone = deserializer.decode("t", 0, 2, 0, null, null);
        assertThat(tombstone.failureReason).isEqualTo("UNDECODABLE");
        byte[] truncated = codec.encode("t", event());
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 3);
        assertThat(deserializer.decode("t", 0, 3, 0, null, cut).failureReason).isEqualTo("UNDECODABLE");
    }

    @Test
    void anUnknownSchemaIdIsDeadLetterable() throws IOException {
        byte[] bytes = codec.encode("t", event());
        ByteBuffer.wrap(bytes).putInt(1, 4242);
        InboundRecord r = deserializer.decode("t", 0, 1, 0, null, bytes);
        assertThat(r.failureReason).isEqualTo("UNKNOWN_SCHEMA");
        assertThat(r.failureDetail).contains("4242");
    }

    @Test
    void anUnavailableRegistryFailsInsteadOfDeadLettering() {
        byte[] bytes = codec.encode("t", event());
        registry.setUnavailable(true);
        assertThatThrownBy(() -> deserializer.decode("t", 0, 1, 0, null, bytes))
                .isInstanceOf(IOException.class).hasMessageContaining("unavailable");
    }
}
