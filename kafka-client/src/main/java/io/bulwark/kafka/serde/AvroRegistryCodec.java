package io.bulwark.kafka.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchemaProvider;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes and decodes Avro {@link SpecificRecord}s in the Confluent wire format (magic byte 0, 4-byte big-endian
 * schema id, Avro binary), using Confluent's schema-registry client.
 *
 * <p>The codec is {@link Serializable}: Flink ships it inside operators and the registry client and caches are
 * created lazily on first use in each JVM. Decoding resolves the writer schema (fetched by id) against the reader
 * schema of {@code T}, so records written with an older or newer compatible schema decode into {@code T}.
 *
 * <pre>{@code
 * AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registryConfig);
 * byte[] bytes = codec.encode("labeled-text", record);
 * LabeledText back = codec.decode("labeled-text", bytes);
 * }</pre>
 *
 * @param <T> the generated Avro class
 */
public final class AvroRegistryCodec<T extends SpecificRecord> implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AvroRegistryCodec.class);

    /** The Confluent wire-format magic byte. */
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus the 4-byte schema id. */
    public static final int HEADER_LENGTH = 5;

    private final Class<T> recordClass;
    private final RegistryConfig config;
    private final boolean isKey;

    private transient volatile ClientState<T> state;

    private AvroRegistryCodec(Class<T> recordClass, RegistryConfig config, boolean isKey) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
        this.config = Objects.requireNonNull(config, "config");
        this.isKey = isKey;
        // Fail fast on a class without a usable schema.
        SpecificData.getForClass(recordClass).getSchema(recordClass);
    }

    /** Returns a codec for record values of a generated Avro class. */
    public static <T extends SpecificRecord> AvroRegistryCodec<T> forClass(Class<T> cls, RegistryConfig cfg) {
        return new AvroRegistryCodec<>(cls, cfg, false);
    }

    /** Returns a codec for record keys ({@code isKey=true}) or values of a generated Avro class. */
    public static <T extends SpecificRecord> AvroRegistryCodec<T> forClass(Class<T> cls, RegistryConfig cfg,
                                                                           boolean isKey) {
        return new AvroRegistryCodec<>(cls, cfg, isKey);
    }

    /** Returns the Avro class this codec reads and writes. */
    public Class<T> recordClass() {
        return recordClass;
    }

    /** Returns the registry configuration. */
    public RegistryConfig config() {
        return config;
    }

    /** Returns true when this codec names subjects for record keys. */
    public boolean isKey() {
        return isKey;
    }

    /** Returns the reader (and writer) schema of {@code T}. */
    public Schema schema() {
        return state().schema;
    }

    /** Returns the subject this codec registers under for a topic. */
    public String subject(String topic) {
        return config.subjectNameStrategy().subject(topic, schema().getFullName(), isKey);
    }

    /**
     * Encodes a record: looks up (or registers, when auto-register is on) the writer schema under the topic's
     * subject, then writes magic byte, schema id and Avro binary. Returns null for a null record (a tombstone).
     *
     * @throws RecordEncodeException when the registry rejects the schema, cannot be reached, or the record is invalid
     */
    public byte[] encode(String topic, T record) {
        if (record == null) {
            return null;
        }
        ClientState<T> rt = state();
        String subject = subject(topic);
        int id = rt.subjectIds.computeIfAbsent(subject, s -> schemaIdFor(rt, s));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            // Direct: the bytes go straight into the array stream, no intermediate buffer per record.
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            rt.writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new RecordEncodeException(RecordEncodeException.Reason.INVALID_RECORD,
                    "cannot write " + recordClass.getSimpleName() + " for topic '" + topic + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes Confluent wire-format bytes into {@code T}, resolving the writer schema (by id) to {@code T}'s schema.
     *
     * @throws RecordDecodeException with the {@link RecordDecodeException.Reason} of the failure
     */
    public T decode(String topic, byte[] bytes) {
        if (bytes == null) {
            throw new RecordDecodeException(RecordDecodeException.Reason.UNDECODABLE, -1,
                    "null payload on topic '" + topic + "'", null);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new RecordDecodeException(RecordDecodeException.Reason.UNDECODABLE, -1,
                    "payload of " + bytes.length + " bytes on topic '" + topic
                            + "' is shorter than the 5-byte Confluent header", null);
        }
        if (bytes[0] != MAGIC_BYTE) {
            throw new RecordDecodeException(RecordDecodeException.Reason.UNDECODABLE, -1,
                    String.format("unknown magic byte 0x%02x on topic '%s' (expected 0x00, the Confluent wire format)",
                            bytes[0] & 0xff, topic), null);
        }
        int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
        ClientState<T> rt = state();
        DatumReader<T> reader = rt.readers.get(id);
        if (reader == null) {
            reader = readerFor(rt, id);
            rt.readers.putIfAbsent(id, reader);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH,
                    bytes.length - HEADER_LENGTH, null);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IOException("trailing bytes after the record");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodeException(RecordDecodeException.Reason.UNDECODABLE, id,
                    "corrupt Avro payload with schema id " + id + " on topic '" + topic + "': " + e, e);
        }
    }

    /** Closes the registry client, if one was created. */
    @Override
    public void close() {
        ClientState<T> rt = state;
        state = null;
        if (rt != null && rt.client != null) {
            try {
                rt.client.close();
            } catch (IOException e) {
                LOG.debug("Closing the schema registry client failed", e);
            }
        }
    }

    private int schemaIdFor(ClientState<T> rt, String subject) {
        AvroSchema schema = rt.registrySchema;
        try {
            return config.autoRegister()
                    ? rt.client().register(subject, schema, config.normalize())
                    : rt.client().getId(subject, schema, config.normalize());
        } catch (RestClientException e) {
            RecordEncodeException.Reason reason = isTransient(e)
                    ? RecordEncodeException.Reason.REGISTRY_UNAVAILABLE : RecordEncodeException.Reason.SCHEMA_REJECTED;
            throw new RecordEncodeException(reason, (config.autoRegister() ? "registering" : "looking up")
                    + " the schema of " + recordClass.getName() + " under subject '" + subject + "' failed: "
                    + e.getMessage() + " (HTTP " + e.getStatus() + ", error code " + e.getErrorCode() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new RecordEncodeException(RecordEncodeException.Reason.REGISTRY_UNAVAILABLE,
                    "schema registry " + config.urls() + " unreachable while resolving subject '" + subject + "': "
                            + e, e);
        }
    }

    private DatumReader<T> readerFor(ClientState<T> rt, int id) {
        ParsedSchema parsed;
        try {
            parsed = rt.client().getSchemaById(id);
        } catch (RestClientException e) {
            if (isTransient(e)) {
                throw new RecordDecodeException(RecordDecodeException.Reason.REGISTRY_UNAVAILABLE, id,
                        "schema registry failed fetching schema id " + id + ": " + e.getMessage() + " (HTTP "
                                + e.getStatus() + ", error code " + e.getErrorCode() + ")", e);
            }
            throw new RecordDecodeException(RecordDecodeException.Reason.UNKNOWN_SCHEMA, id,
                    "schema id " + id + " is not in the registry: " + e.getMessage() + " (error code "
                            + e.getErrorCode() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodeException(RecordDecodeException.Reason.REGISTRY_UNAVAILABLE, id,
                    "schema registry " + config.urls() + " unreachable fetching schema id " + id + ": " + e, e);
        }
        if (!"AVRO".equals(parsed.schemaType())) {
            throw new RecordDecodeException(RecordDecodeException.Reason.INCOMPATIBLE_SCHEMA, id,
                    "schema id " + id + " is a " + parsed.schemaType() + " schema, not AVRO", null);
        }
        Schema writer;
        try {
            writer = new Schema.Parser().parse(parsed.canonicalString());
        } catch (RuntimeException e) {
            throw new RecordDecodeException(RecordDecodeException.Reason.INCOMPATIBLE_SCHEMA, id,
                    "writer schema id " + id + " cannot be parsed: " + e.getMessage(), e);
        }
        SchemaCompatibility.SchemaPairCompatibility compat =
                SchemaCompatibility.checkReaderWriterCompatibility(rt.schema, writer);
        if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new RecordDecodeException(RecordDecodeException.Reason.INCOMPATIBLE_SCHEMA, id,
                    "writer schema id " + id + " (" + writer.getFullName() + ") cannot be read as "
                            + recordClass.getName() + ": " + compat.getResult().getIncompatibilities(), null);
        }
        LOG.debug("Resolved writer schema id {} to {}", id, recordClass.getName());
        return new SpecificDatumReader<>(writer, rt.schema, rt.data);
    }

    private static boolean isTransient(RestClientException e) {
        int status = e.getStatus();
        return status >= 500 || status == 401 || status == 403 || status == 408 || status == 429;
    }

    private ClientState<T> state() {
        ClientState<T> rt = state;
        if (rt == null) {
            synchronized (this) {
                rt = state;
                if (rt == null) {
                    rt = new ClientState<>(recordClass, config);
                    state = rt;
                }
            }
        }
        return rt;
    }

    /** Per-JVM state: the registry client, the writer, and the readers by writer schema id. */
    private static final class ClientState<T> {
        final SpecificData data;
        final Schema schema;
        final SpecificDatumWriter<T> writer;
        final AvroSchema registrySchema;
        final RegistryConfig config;
        final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
        final Map<String, Integer> subjectIds = new ConcurrentHashMap<>();
        volatile SchemaRegistryClient client;

        ClientState(Class<T> cls, RegistryConfig config) {
            this.data = SpecificData.getForClass(cls);
            this.schema = data.getSchema(cls);
            this.writer = new SpecificDatumWriter<>(schema, data);
            // The registry client carries its own (relocated) Avro: hand it the schema as JSON text.
            this.registrySchema = new AvroSchema(schema.toString());
            this.config = config;
        }

        SchemaRegistryClient client() {
            SchemaRegistryClient c = client;
            if (c == null) {
                synchronized (this) {
                    c = client;
                    if (c == null) {
                        c = new CachedSchemaRegistryClient(config.urls(), config.cacheCapacity(),
                                List.of(new AvroSchemaProvider()), config.toClientProperties());
                        client = c;
                    }
                }
            }
            return c;
        }
    }
}
