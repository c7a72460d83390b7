package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends input records to the input topic: events as Avro LabeledText through the schema registry, keyed by model
 * key (the empty key for the default model) so each model's events stay in one partition and in order; raw lines as
 * their bytes. Optionally paced to a rate.
 */
public final class InputProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroRegistryCodec<LabeledText> codec;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean stopped;

    /** Creates a producer for {@code topic} with the given client properties. */
    public InputProducer(Properties clientProperties, AvroRegistryCodec<LabeledText> codec, String topic) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.codec = codec;
        this.topic = topic;
    }

    /**
     * Sends the records in order at {@code ratePerSecond} (0 = as fast as possible) and flushes.
     *
     * @return the number of records sent (fewer if {@link #stop()} was called)
     */
    public long send(List<RawInput> records, double ratePerSecond) {
        long start = System.nanoTime();
        long n = 0;
        for (RawInput r : records) {
            if (stopped) {
                break;
            }
            if (ratePerSecond > 0) {
                long due = start + (long) (n * 1e9 / ratePerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            producer.send(record(r), (meta, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                }
            });
            n++;
        }
        producer.flush();
        return sent.get();
    }

    /** Returns how many records the broker acknowledged so far. */
    public long sent() {
        return sent.get();
    }

    /** Stops a running {@link #send}. */
    public void stop() {
        stopped = true;
    }

    private ProducerRecord<byte[], byte[]> record(RawInput r) {
        if (r.isRaw()) {
            return new ProducerRecord<>(topic, null, null, r.raw());
        }
        LabeledText e = r.event();
        byte[] key = (e.getModelKey() == null ? "" : e.getModelKey()).getBytes(StandardCharsets.UTF_8);
        // The record timestamp is the send time: replayed historical event times would fall outside retention.
        return new ProducerRecord<>(topic, null, null, key, codec.encode(topic, e));
    }

    @Override
    public void close() {
        producer.close();
    }
}
