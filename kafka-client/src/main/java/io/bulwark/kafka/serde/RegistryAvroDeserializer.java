package io.bulwark.kafka.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.Map;

/**
 * Kafka {@link Deserializer} reading Confluent wire-format Avro into a generated class through
 * {@link AvroRegistryCodec}; failures throw {@link RecordDecodeException} with a reason.
 *
 * <p>Configure by constructor, or in plain Kafka clients with {@value RegistryAvroSerializer#AVRO_CLASS} and
 * {@link RegistryConfig}'s properties. A null payload (a tombstone) deserializes to null.
 *
 * @param <T> the generated Avro class
 */
public class RegistryAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private AvroRegistryCodec<T> codec;

    /** Creates a deserializer to be configured by Kafka through {@link #configure(Map, boolean)}. */
    public RegistryAvroDeserializer() {
    }

    /** Creates a value deserializer for a class and registry configuration. */
    public RegistryAvroDeserializer(Class<T> recordClass, RegistryConfig config) {
        this(recordClass, config, false);
    }

    /** Creates a key ({@code isKey=true}) or value deserializer for a class and registry configuration. */
    public RegistryAvroDeserializer(Class<T> recordClass, RegistryConfig config, boolean isKey) {
        this.codec = AvroRegistryCodec.forClass(recordClass, config, isKey);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec != null) {
            return;
        }
        codec = AvroRegistryCodec.forClass(avroClass(configs, isKey), RegistryConfig.fromProperties(configs, isKey),
                isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (codec == null) {
            throw new IllegalStateException("RegistryAvroDeserializer is not configured: construct it with a class "
                    + "and RegistryConfig, or set " + RegistryAvroSerializer.AVRO_CLASS + " and " + RegistryConfig.URL);
        }
        if (data == null) {
            return null;
        }
        return codec.decode(topic, data);
    }

    @Override
    public void close() {
        if (codec != null) {
            codec.close();
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> Class<T> avroClass(Map<String, ?> configs, boolean isKey) {
        Object value = isKey && configs.get(RegistryAvroSerializer.AVRO_KEY_CLASS) != null
                ? configs.get(RegistryAvroSerializer.AVRO_KEY_CLASS) : configs.get(RegistryAvroSerializer.AVRO_CLASS);
        String key = isKey && configs.get(RegistryAvroSerializer.AVRO_KEY_CLASS) != null
                ? RegistryAvroSerializer.AVRO_KEY_CLASS : RegistryAvroSerializer.AVRO_CLASS;
        if (value == null) {
            throw new IllegalArgumentException("Missing property '" + key + "': the generated Avro class to read/write");
        }
        Class<?> cls;
        if (value instanceof Class) {
            cls = (Class<?>) value;
        } else {
            try {
                ClassLoader cl = Thread.currentThread().getContextClassLoader();
                cls = Class.forName(value.toString().trim(), true,
                        cl != null ? cl : RegistryAvroDeserializer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(key + ": class '" + value + "' not found", e);
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(cls)) {
            throw new IllegalArgumentException(key + ": " + cls.getName()
                    + " is not a generated Avro SpecificRecord class");
        }
        return (Class<T>) cls;
    }
}
