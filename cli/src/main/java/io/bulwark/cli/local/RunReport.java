package io.bulwark.cli.local;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The report of a {@code run} that stopped with a savepoint: counters over the whole stream, across every restore.
 *
 * <p>Where each counter comes from:
 * <ul>
 *   <li>{@code events_trained}: each model's {@code examplesTrained} from the training operator's keyed state (its
 *       {@code ModelProgress}, checkpointed with the model and restored with it), read through the operator's
 *       per-model gauge as the job stopped. A model that received no event since the restore was not loaded, so
 *       it has no gauge: its count is the one of its latest committed snapshot, and it is listed under
 *       {@code models_counted_from_snapshots}.</li>
 *   <li>{@code events_held_out}, {@code dead_letters}, {@code snapshots_published}, {@code last_version}: the
 *       records of the held-out, dead-letter and snapshot topics, read with {@code read_committed}. The job writes
 *       them in Kafka transactions committed on checkpoints, so a record appears once however often the job was
 *       killed and restored.</li>
 * </ul>
 * A topic the job never wrote to does not exist (the sinks create topics on their first record where the broker
 * allows it) and counts as empty. The savepoint the job stopped with commits everything the state reflects, so the two sources agree.
 */
public final class RunReport {

    private RunReport() {
    }

    /**
     * Reads the counters of a stopped job.
     *
     * @param jobName the job's name (its metrics)
     * @param restoredFrom the checkpoint or savepoint the run started from, or null on a fresh start
     * @param savepoint the savepoint the run stopped with, or null
     */
    public static Map<String, Object> collect(String jobName, Properties clientProperties, RegistryConfig registry,
                                              TopicLayout layout, String restoredFrom, String savepoint,
                                              String stoppedBy, Duration timeout) {
        Map<String, ModelSnapshot> lastSnapshots = new TreeMap<>();
        AtomicLong snapshots = new AtomicLong();
        AtomicLong heldOut = new AtomicLong();
        Map<String, Long> deadLetters = new TreeMap<>();
        try (AvroRegistryCodec<ModelSnapshot> snapshotCodec = AvroRegistryCodec.forClass(ModelSnapshot.class,
                registry);
             AvroRegistryCodec<DeadLetter> deadLetterCodec = AvroRegistryCodec.forClass(DeadLetter.class, registry)) {
            readIfExists(clientProperties, layout.snapshots(), timeout, r -> {
                ModelSnapshot s = snapshotCodec.decode(r.topic(), r.value());
                snapshots.incrementAndGet();
                lastSnapshots.merge(s.getModelId(), s, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
            });
            readIfExists(clientProperties, layout.heldOut(), timeout, r -> heldOut.incrementAndGet());
            readIfExists(clientProperties, layout.deadLetters(), timeout,
                    r -> deadLetters.merge(deadLetterCodec.decode(r.topic(), r.value()).getReason(), 1L, Long::sum));
        }

        Map<String, Double> gauges = InProcessMetrics.byModel(jobName, BulwarkMetrics.EXAMPLES_TRAINED);
        Map<String, Long> trained = new TreeMap<>();
        TreeSet<String> fromSnapshots = new TreeSet<>();
        gauges.forEach((model, v) -> trained.put(model, v.longValue()));
        for (Map.Entry<String, ModelSnapshot> e : lastSnapshots.entrySet()) {
            if (!trained.containsKey(e.getKey())) {
                trained.put(e.getKey(), e.getValue().getExamplesSeen());
                fromSnapshots.add(e.getKey());
            }
        }

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events_trained", trained.values().stream().mapToLong(Long::longValue).sum());
        m.put("events_held_out", heldOut.get());
        m.put("dead_letters", deadLetters.values().stream().mapToLong(Long::longValue).sum());
        m.put("dead_letters_by_reason", deadLetters);
        m.put("snapshots_published", snapshots.get());
        m.put("last_version", lastSnapshots.values().stream().mapToLong(ModelSnapshot::getVersion).max().orElse(0));
        m.put("restored_from", restoredFrom);
        m.put("savepoint", savepoint);
        m.put("stopped_by", stoppedBy);
        m.put("events_trained_by_model", trained);
        m.put("models_counted_from_snapshots", fromSnapshots);
        return m;
    }

    /** Reads a topic's committed records; a topic the job never wrote to (not created) has none. */
    private static void readIfExists(Properties clientProperties, String topic, Duration timeout,
                                     Consumer<ConsumerRecord<byte[], byte[]>> action) {
        try (Admin admin = Admin.create(clientProperties)) {
            if (!admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list the topics: " + e.getMessage(), e);
        }
        TopicReader.forEach(clientProperties, topic, timeout, action);
    }
}
