package io.bulwark.cli.job;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends input records to the input topic: events as Avro LabeledText through the schema registry, keyed by model
 * key (the empty key for the default model) so each model's events stay in one partition and in order; raw lines as
 * their bytes. Optionally paced to a rate.
 *
 * <p>No record is lost silently. A record that cannot be serialized, or that the producer or the broker refuses
 * (over {@code max.request.size} or the topic's {@code max.message.bytes}, a time-out, an authorization error), is
 * counted with its reason ({@link #failures()}) and, when a dead-letter topic is given, written there as a
 * {@link DeadLetter} with partition and offset -1, key and value cut to fit ({@link Rejected#toAvro()}). Every
 * record is then either acknowledged by the broker ({@link #sent()}) or a failure.
 */
public final class InputProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroRegistryCodec<LabeledText> codec;
    private final String topic;
    private final AvroRegistryCodec<DeadLetter> deadLetterCodec;
    private final String deadLetterTopic;
    private final AtomicLong sent = new AtomicLong();
    private final ConcurrentLinkedQueue<SendFailure> failed = new ConcurrentLinkedQueue<>();
    private final List<SendFailure> failures = new ArrayList<>();
    private volatile boolean stopped;

    /** Creates a producer for {@code topic} with the given client properties and no dead-letter topic. */
    public InputProducer(Properties clientProperties, AvroRegistryCodec<LabeledText> codec, String topic) {
        this(clientProperties, codec, topic, null, null);
    }

    /**
     * Creates a producer for {@code topic} that writes records it cannot send to {@code deadLetterTopic} with
     * {@code deadLetterCodec} (both null: counted only).
     */
    public InputProducer(Properties clientProperties, AvroRegistryCodec<LabeledText> codec, String topic,
                         AvroRegistryCodec<DeadLetter> deadLetterCodec, String deadLetterTopic) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.codec = codec;
        this.topic = topic;
        this.deadLetterCodec = deadLetterCodec;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * Sends the records in order at {@code ratePerSecond} (0 = as fast as possible), flushes, then writes the
     * records that could not be sent to the dead-letter topic.
     *
     * @return the number of records the broker acknowledged (the others are {@link #failures()}, or were not
     *     sent because {@link #stop()} was called)
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
            sendOne(r);
            n++;
        }
        producer.flush();
        deadLetterFailures();
        return sent.get();
    }

    private void sendOne(RawInput r) {
        byte[] key = key(r);
        byte[] value;
        try {
            value = r.isRaw() ? r.raw() : codec.encode(topic, r.event());
        } catch (RuntimeException e) {
            // The event as JSON, so the dead letter shows what could not be written.
            failed.add(new SendFailure(r.line(), DeadLetterReason.SERIALIZATION_FAILED, e.getMessage(), key,
                    String.valueOf(r.event()).getBytes(StandardCharsets.UTF_8), null));
            return;
        }
        // The record timestamp is the send time: replayed historical event times would fall outside retention.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, key, value);
        try {
            producer.send(record, (meta, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    failed.add(new SendFailure(r.line(), SendFailure.reasonOf(error), String.valueOf(error), key,
                            value, null));
                }
            });
        } catch (RuntimeException e) {
            failed.add(new SendFailure(r.line(), SendFailure.reasonOf(e), String.valueOf(e), key, value, null));
        }
    }

    /** Writes each new failure to the dead-letter topic (synchronously: failures are rare) and records the outcome. */
    private void deadLetterFailures() {
        for (SendFailure f = failed.poll(); f != null; f = failed.poll()) {
            String error = deadLetterTopic == null ? "no dead-letter topic" : null;
            if (error == null) {
                try {
                    Rejected rejected = Rejected.of(f.reason(), describe(f), topic, -1, -1, f.key(), f.value(),
                            System.currentTimeMillis());
                    DeadLetter letter = rejected.toAvro();
                    byte[] letterKey = letter.getKey() == null ? null : bytes(letter.getKey());
                    producer.send(new ProducerRecord<>(deadLetterTopic, null, rejected.failedAt, letterKey,
                            deadLetterCodec.encode(deadLetterTopic, letter))).get();
                } catch (ExecutionException e) {
                    error = String.valueOf(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    error = "interrupted";
                } catch (RuntimeException e) {
                    error = String.valueOf(e);
                }
            }
            synchronized (failures) {
                failures.add(f.withDeadLetterError(error));
            }
        }
    }

    private static String describe(SendFailure f) {
        return "not produced" + (f.line() > 0 ? " (input line " + f.line() + ")" : "") + ": " + f.detail();
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] key(RawInput r) {
        if (r.isRaw()) {
            return null;
        }
        String modelKey = r.event().getModelKey();
        return (modelKey == null ? "" : modelKey).getBytes(StandardCharsets.UTF_8);
    }

    /** Returns how many records the broker acknowledged so far. */
    public long sent() {
        return sent.get();
    }

    /** Returns the records that could not be sent, in the order they failed (complete once {@link #send} returned). */
    public List<SendFailure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /** Returns the failures counted by reason. */
    public Map<String, Long> failuresByReason() {
        Map<String, Long> m = new TreeMap<>();
        failures().forEach(f -> m.merge(f.reason().name(), 1L, Long::sum));
        return m;
    }

    /** Returns how many failures were written to the dead-letter topic. */
    public long deadLettered() {
        return failures().stream().filter(SendFailure::deadLettered).count();
    }

    /** Stops a running {@link #send}. */
    public void stop() {
        stopped = true;
    }

    @Override
    public void close() {
        producer.close();
    }
}
