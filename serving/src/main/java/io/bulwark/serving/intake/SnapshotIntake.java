package io.bulwark.serving.intake;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.kafka.KafkaClientConfig;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RecordDecodeException;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.registry.ModelRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads snapshots, robustness reports and held-out events (each model's canary set) from Kafka (Confluent wire format through the schema registry) into the
 * {@link ModelRegistry}.
 *
 * <p>Every serving instance must see every snapshot, so partitions are assigned, not subscribed in a group, and no
 * offsets are committed. Where reading starts follows {@link ServingConfig.SnapshotStart}: by default the compacted
 * latest-snapshot topic is read from its beginning (the current version of every model) while the versions topic is
 * followed from its end; reports are always read from the beginning (they are small and feed the dashboard), and
 * the held-out topic from the last {@code heldOutReplay} offsets of each partition (all of it when 0): the canary
 * sets keep only the most recent events, so an old backlog need not be read.
 * Every topic is read {@code read_committed}.
 * Partitions that appear after start (new topics or partitions) are read from their beginning. A record that cannot
 * be decoded is refused and logged; a registry outage is retried.
 */
public final class SnapshotIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotIntake.class);
    private static final long DISCOVERY_MILLIS = 2_000;

    /** States of the intake, shown by /healthz. */
    public enum State { STARTING, WAITING_FOR_TOPICS, RUNNING, STOPPED, FAILED }

    private final ServingConfig config;
    private final ModelRegistry registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroRegistryCodec<ModelSnapshot> snapshotCodec;
    private final AvroRegistryCodec<RobustnessReport> reportCodec;
    private final AvroRegistryCodec<LabeledText> heldOutCodec;
    private final Thread thread;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Set<String> discoveredOnce = new HashSet<>();
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong heldOut = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private volatile State state = State.STARTING;
    private volatile long lastPollAt;
    private volatile String lastError;
    private volatile boolean running = true;

    /** Creates the consumer and the decoders; call {@link #start()} to begin reading. */
    public SnapshotIntake(ServingConfig config, ModelRegistry registry) {
        this.config = config;
        this.registry = registry;
        KafkaClientConfig.Builder kb = KafkaClientConfig.builder().setBootstrapServers(config.bootstrapServers());
        Map<String, String> security = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : config.kafkaProperties().entrySet()) {
            if (KafkaClientConfig.isSecurityKey(e.getKey())) {
                security.put(e.getKey(), e.getValue());
            } else {
                kb.optProperty(e.getKey(), e.getValue());
            }
        }
        kb.optSecurity(security);
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
        // Snapshots are published in the job's Kafka transactions: a version from an aborted transaction (a job
        // that failed before its checkpoint completed) must never be served.
        overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        overrides.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "bulwark-serving");
        this.consumer = new KafkaConsumer<>(kb.build().consumerProperties(overrides));
        Map<String, Object> registryProps = new LinkedHashMap<>(config.registryProperties());
        registryProps.put(RegistryConfig.URL, config.registryUrl());
        RegistryConfig rc = RegistryConfig.fromProperties(registryProps, false);
        this.snapshotCodec = AvroRegistryCodec.forClass(ModelSnapshot.class, rc);
        this.reportCodec = AvroRegistryCodec.forClass(RobustnessReport.class, rc);
        this.heldOutCodec = AvroRegistryCodec.forClass(LabeledText.class, rc);
        this.thread = new Thread(this::run, "bulwark-snapshot-intake");
        this.thread.setDaemon(true);
    }

    /** Starts the reading thread. */
    public void start() {
        thread.start();
    }

    private List<String> topics() {
        List<String> t = new ArrayList<>();
        t.add(config.snapshotTopic());
        if (config.snapshotStart() == ServingConfig.SnapshotStart.LATEST_PER_MODEL) {
            t.add(config.latestSnapshotTopic());
        }
        t.add(config.reportTopic());
        t.add(config.heldOutTopic());
        return t;
    }

    private void run() {
        long nextDiscovery = 0;
        try {
            while (running) {
                if (System.currentTimeMillis() >= nextDiscovery) {
                    discover();
                    nextDiscovery = System.currentTimeMillis() + DISCOVERY_MILLIS;
                }
                if (assigned.isEmpty()) {
                    state = State.WAITING_FOR_TOPICS;
                    Thread.sleep(200);
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                lastPollAt = System.currentTimeMillis();
                // The held-out topic is optional: a job that publishes none leaves serving on the report gate.
                if (state != State.RUNNING && discoveredOnce.containsAll(
                        topics().stream().filter(t -> !t.equals(config.heldOutTopic())).toList())) {
                    state = State.RUNNING;
                }
                handle(records);
            }
            state = State.STOPPED;
        } catch (WakeupException e) {
            state = State.STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = State.STOPPED;
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("Snapshot intake failed; loaded versions keep serving", e);
                lastError = e.toString();
                state = State.FAILED;
            } else {
                state = State.STOPPED;
            }
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Assigns partitions of topics that exist, with the configured start position. */
    private void discover() {
        List<TopicPartition> added = new ArrayList<>();
        List<TopicPartition> fromBeginning = new ArrayList<>();
        List<TopicPartition> fromEnd = new ArrayList<>();
        List<TopicPartition> recent = new ArrayList<>();
        for (String topic : topics()) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                lastError = "partitions of " + topic + ": " + e;
                LOG.debug("Could not list partitions of {}: {}", topic, e.toString());
                continue;
            }
            if (infos == null || infos.isEmpty()) {
                continue;
            }
            boolean first = discoveredOnce.add(topic);
            for (PartitionInfo info : infos) {
                TopicPartition tp = new TopicPartition(topic, info.partition());
                if (assigned.contains(tp)) {
                    continue;
                }
                added.add(tp);
                boolean end = first && topic.equals(config.snapshotTopic())
                        && config.snapshotStart() != ServingConfig.SnapshotStart.EARLIEST;
                if (first && topic.equals(config.heldOutTopic())) {
                    recent.add(tp);
                } else {
                    (end ? fromEnd : fromBeginning).add(tp);
                }
            }
        }
        if (added.isEmpty()) {
            return;
        }
        assigned.addAll(added);
        consumer.assign(new ArrayList<>(assigned));
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
        }
        if (!fromEnd.isEmpty()) {
            consumer.seekToEnd(fromEnd);
            for (TopicPartition tp : fromEnd) {
                consumer.position(tp);
            }
        }
        if (!recent.isEmpty()) {
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(recent, Duration.ofSeconds(10));
            Map<TopicPartition, Long> end = consumer.endOffsets(recent, Duration.ofSeconds(10));
            for (TopicPartition tp : recent) {
                long replay = config.heldOutReplay();
                consumer.seek(tp, replay == 0 ? begin.get(tp) : Math.max(begin.get(tp), end.get(tp) - replay));
            }
        }
        LOG.info("Snapshot intake reads {} (from the beginning: {}, from the end: {}, the last {} offsets: {})", added,
                fromBeginning, fromEnd, config.heldOutReplay(), recent);
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Set<TopicPartition> retry = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (retry.contains(tp)) {
                continue;
            }
            String where = r.topic() + "-" + r.partition() + "@" + r.offset();
            try {
                if (r.topic().equals(config.reportTopic())) {
                    registry.offerReport(reportCodec.decode(r.topic(), r.value()));
                    reports.incrementAndGet();
                } else if (r.topic().equals(config.heldOutTopic())) {
                    offerHeldOut(r, heldOutCodec.decode(r.topic(), r.value()));
                } else {
                    registry.offer(snapshotCodec.decode(r.topic(), r.value()));
                    snapshots.incrementAndGet();
                }
            } catch (RecordDecodeException e) {
                if (e.isTransient()) {
                    lastError = where + ": " + e.getMessage();
                    LOG.warn("Schema registry unavailable at {}; retrying: {}", where, e.getMessage());
                    consumer.seek(tp, r.offset());
                    retry.add(tp);
                } else {
                    undecodable.incrementAndGet();
                    registry.refuseUndecodable(where, e.getMessage());
                }
            } catch (RuntimeException e) {
                undecodable.incrementAndGet();
                registry.refuseUndecodable(where, e.toString());
            }
        }
        if (!retry.isEmpty()) {
            Thread.sleep(1_000);
        }
    }

    /** Adds a held-out event to its model's canary set (the model id is the record's modelKey, else its key). */
    private void offerHeldOut(ConsumerRecord<byte[], byte[]> r, LabeledText e) {
        String modelId = e.getModelKey() != null ? e.getModelKey()
                : r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (modelId == null || modelId.isEmpty()) {
            undecodable.incrementAndGet();
            registry.refuseUndecodable(r.topic() + "-" + r.partition() + "@" + r.offset(),
                    "held-out event " + e.getId() + " names no model (no modelKey and no record key)");
            return;
        }
        registry.offerHeldOut(modelId, e.getId(), e.getText(), e.getLabel());
        heldOut.incrementAndGet();
    }

    /** Status for /healthz. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        m.put("bootstrapServers", config.bootstrapServers());
        m.put("topics", topics());
        m.put("snapshotStart", config.snapshotStart().name().toLowerCase(java.util.Locale.ROOT));
        m.put("snapshotsRead", snapshots.get());
        m.put("reportsRead", reports.get());
        m.put("heldOutRead", heldOut.get());
        m.put("undecodable", undecodable.get());
        m.put("lastPollAt", lastPollAt == 0 ? null : lastPollAt);
        m.put("lastError", lastError);
        return m;
    }

    /** The current state. */
    public State state() {
        return state;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        snapshotCodec.close();
        reportCodec.close();
        heldOutCodec.close();
    }
}
