package io.bulwark.kafka.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * Kafka {@link Serializer} writing Avro records in the Confluent wire format through {@link AvroRegistryCodec}.
 *
 * <p>Use the constructor in code, or configure it in plain Kafka clients by class name with
 * {@value #AVRO_CLASS} (the generated Avro class) and {@link RegistryConfig}'s properties:
 * <pre>{@code
 * props.put("value.serializer", RegistryAvroSerializer.class.getName());
 * props.put("bulwark.avro.class", LabeledText.class.getName());
 * props.put("schema.registry.url", "http://localhost:8081");
 * }</pre>
 *
 * @param <T> the generated Avro class
 */
public class RegistryAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    /** Property naming the generated Avro class to write. */
    public static final String AVRO_CLASS = "bulwark.avro.class";
    /** Property naming the generated Avro class of keys, when it differs from {@value #AVRO_CLASS}. */
    public static final String AVRO_KEY_CLASS = "bulwark.avro.key.class";

    private AvroRegistryCodec<T> codec;

    /** Creates a serializer to be configured by Kafka through {@link #configure(Map, boolean)}. */
    public RegistryAvroSerializer() {
    }

    /** Creates a value serializer for a class and registry configuration. */
    public RegistryAvroSerializer(Class<T> recordClass, RegistryConfig config) {
        this(recordClass, config, false);
    }

    /** Creates a key ({@code isKey=true}) or value serializer for a class and registry configuration. */
    public RegistryAvroSerializer(Class<T> recordClass, RegistryConfig config, boolean isKey) {
        this.codec = AvroRegistryCodec.forClass(recordClass, config, isKey);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec != null) {
            return;
        }
        Class<T> cls = RegistryAvroDeserializer.avroClass(configs, isKey);
        codec = AvroRegistryCodec.forClass(cls, RegistryConfig.fromProperties(configs, isKey), isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (codec == null) {
            throw new IllegalStateException("RegistryAvroSerializer is not configured: construct it with a class and "
                    + "RegistryConfig, or set " + AVRO_CLASS + " and " + RegistryConfig.URL);
        }
        return codec.encode(topic, data);
    }

    @Override
    public void close() {
        if (codec != null) {
            codec.close();
        }
    }
}
