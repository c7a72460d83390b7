package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.SourceOffset;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.LocalFlink;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.JobOptions;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latency phase of {@code pipeline-bench}: events produced at a steady rate into a running job; latency is the
 * time from sending an event to a {@code read_committed} consumer receiving the first snapshot that reflects it.
 */
final class LatencyRun {

    private LatencyRun() {}

    /**
     * Runs the unbounded job of {@code conf} while producing {@code data} (cycled) at {@code rate} events/s for
     * {@code seconds}, and returns the latency percentiles.
     */
    static Map<String, Object> run(EmbeddedStack stack, Configuration conf, List<LabeledText> data, double rate,
                                   int seconds, Path work) throws Exception {
        TopicLayout layout = TopicLayout.of(conf, 1, Duration.ofDays(1));
        stack.createTopics(layout);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        Properties client = new Properties();
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        List<Double> latencies = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        String name = conf.get(JobOptions.JOB_NAME);
        JobClient job = LocalFlink.start(LocalFlink.clusterConfig(1, work.resolve("flink-" + name)), conf);
        AtomicLong covered = new AtomicLong();
        Thread reader = new Thread(() -> readSnapshots(client, registry, layout.snapshots(), sentAt, latencies, stop,
                covered), "bench-snapshot-reader");
        reader.start();
        long sent = 0;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            int i = 0;
            while (System.nanoTime() < end) {
                long due = start + (long) (sent * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                LabeledText e = LabeledText.newBuilder(data.get(i++ % data.size()))
                        .setId("lat-" + sent).setEventTime(Instant.now()).build();
                long sendTime = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(layout.input(), new byte[0], codec.encode(layout.input(), e)),
                        (meta, error) -> {
                            if (error == null) {
                                sentAt.put(meta.offset(), sendTime);
                            }
                        });
                sent++;
            }
            producer.flush();
        }
        // Wait until a visible snapshot reflects the last event (its batch times out, trains and commits).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && covered.get() < sent) {
            Thread.sleep(50);
        }
        stop.set(true);
        reader.join();
        job.cancel().get(1, TimeUnit.MINUTES);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate_events_per_second", PipelineBenchCommand.round(rate));
        m.put("events", sent);
        m.put("snapshots", latencies.size());
        List<Double> sorted = new ArrayList<>(latencies);
        sorted.sort(Double::compare);
        m.put("p50_ms", sorted.isEmpty() ? null : PipelineBenchCommand.round(sorted.get(sorted.size() / 2)));
        m.put("p95_ms", sorted.isEmpty() ? null : PipelineBenchCommand.round(sorted.get((int) Math.min(sorted.size() - 1,
                Math.ceil(sorted.size() * 0.95) - 1))));
        m.put("max_ms", sorted.isEmpty() ? null : PipelineBenchCommand.round(sorted.get(sorted.size() - 1)));
        return m;
    }

    private static void readSnapshots(Properties client, RegistryConfig registry, String topic,
                                      Map<Long, Long> sentAt, List<Double> latencies, AtomicBoolean stop,
                                      AtomicLong covered) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (AvroRegistryCodec<ModelSnapshot> codec = AvroRegistryCodec.forClass(ModelSnapshot.class, registry);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long visible = System.currentTimeMillis();
                    ModelSnapshot s = codec.decode(r.topic(), r.value());
                    long newest = -1;
                    for (SourceOffset o : s.getSourceOffsets()) {
                        covered.accumulateAndGet(o.getOffset(), Math::max);
                        Long t = sentAt.get(o.getOffset() - 1);
                        if (t != null) {
                            newest = Math.max(newest, t);
                        }
                    }
                    if (newest > 0) {
                        synchronized (latencies) {
                            latencies.add((double) (visible - newest));
                        }
                    }
                }
            }
        }
    }

}
