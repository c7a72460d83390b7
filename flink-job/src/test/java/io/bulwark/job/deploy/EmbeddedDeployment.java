package io.bulwark.job.deploy;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.job.testutil.TestData;
import io.bulwark.kafka.embedded.EmbeddedKafka;
import io.bulwark.kafka.registry.SchemaRegistryServer;
import io.bulwark.kafka.serde.RegistryAvroSerializer;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;
import org.apache.flink.runtime.externalresource.ExternalResourceUtils;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.taskexecutor.TaskExecutor;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The deployment in one JVM: an embedded KRaft broker and schema registry, and a Flink MiniCluster running on the
 * Flink configuration of the deployment (deploy/flink/config.yaml) with only what differs on one test machine
 * changed: directories, ports, no restarts.
 *
 * <p>A MiniCluster gives its TaskManagers no external resources, whatever the configuration says. {@link
 * #useExternalResources} builds them the way a standalone TaskManager does ({@code ExternalResourceUtils} over
 * the configured drivers) and hands them to the running TaskManagers, so jobs submitted afterwards see them in
 * {@code RuntimeContext#getExternalResourceInfos}.
 */
final class EmbeddedDeployment implements AutoCloseable {

    /** Model key of the events {@link #produceEvents} writes. */
    static final String MODEL = "spam";

    final Path workDir;
    final EmbeddedKafka kafka;
    final SchemaRegistryServer registry;
    final Configuration clusterConfig;
    final MiniCluster cluster;
    final int prometheusPort;

    private EmbeddedDeployment(Path workDir, EmbeddedKafka kafka, SchemaRegistryServer registry,
            Configuration clusterConfig, MiniCluster cluster, int prometheusPort) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.registry = registry;
        this.clusterConfig = clusterConfig;
        this.cluster = cluster;
        this.prometheusPort = prometheusPort;
    }

    /** Starts Kafka, the registry and a one-TaskManager MiniCluster on the deployment's Flink configuration. */
    static EmbeddedDeployment start() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path workDir = Files.createTempDirectory(tmp, "deployment-");
        EmbeddedKafka kafka = null;
        SchemaRegistryServer registry = null;
        try {
            kafka = EmbeddedKafka.start(EmbeddedKafka.Options.builder().optDataDir(workDir.resolve("kafka")).build());
            registry = SchemaRegistryServer.start(kafka.bootstrapServers(), 0);
            int promPort = freePort();
            Configuration conf = localClusterConfig(workDir, promPort);
            MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(2)
                    .build());
            cluster.start();
            return new EmbeddedDeployment(workDir, kafka, registry, conf, cluster, promPort);
        } catch (Exception | Error e) {
            if (registry != null) {
                registry.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            throw e;
        }
    }

    /** The Flink configuration of the deployment, as the JobManager and TaskManager images carry it. */
    static Configuration deployedFlinkConfig() {
        return GlobalConfiguration.loadConfiguration(DeployFiles.repoRoot().resolve("deploy/flink").toString());
    }

    /**
     * The deployed configuration with what cannot hold on one test machine replaced: local checkpoint and
     * savepoint directories, loopback addresses, free ports, no process-size budgets (a MiniCluster lives in the
     * test JVM) and no restarts (a failure fails the test at once).
     */
    static Configuration localClusterConfig(Path workDir, int prometheusPort) {
        Map<String, String> deployed = new HashMap<>(deployedFlinkConfig().toMap());
        deployed.keySet().removeIf(k -> k.startsWith("jobmanager.memory.")
                || k.startsWith("taskmanager.memory.process.") || k.startsWith("taskmanager.memory.jvm-overhead."));
        Configuration c = Configuration.fromMap(deployed);
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, workDir.resolve("checkpoints").toUri().toString());
        c.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, workDir.resolve("savepoints").toUri().toString());
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.PORT, 0);
        c.setString("metrics.reporter.prom.port", Integer.toString(prometheusPort));
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }

    /**
     * Gives the running TaskManagers the external resources a TaskManager with configuration {@code tmConfig}
     * gets, with drivers from {@code factories} (standing in for the plugin directory).
     */
    void useExternalResources(Configuration tmConfig, ExternalResourceDriverFactory... factories) throws Exception {
        PluginManager plugins = new PluginManager() {
            @Override
            @SuppressWarnings("unchecked")
            public <P> Iterator<P> load(Class<P> service) {
                return service == ExternalResourceDriverFactory.class
                        ? (Iterator<P>) List.of(factories).iterator()
                        : Collections.emptyIterator();
            }
        };
        // What TaskManagerRunner does for a standalone TaskManager.
        ExternalResourceInfoProvider provider =
                ExternalResourceUtils.createStaticExternalResourceInfoProviderFromConfig(tmConfig, plugins);
        Field taskManagers = MiniCluster.class.getDeclaredField("taskManagers");
        taskManagers.setAccessible(true);
        Field providerField = TaskExecutor.class.getDeclaredField("externalResourceInfoProvider");
        providerField.setAccessible(true);
        @SuppressWarnings("unchecked")
        List<TaskExecutor> executors = (List<TaskExecutor>) taskManagers.get(cluster);
        if (executors.isEmpty()) {
            throw new IllegalStateException("The MiniCluster has no TaskManager");
        }
        for (TaskExecutor executor : executors) {
            providerField.set(executor, provider);
        }
    }

    /** The registry configuration clients of this deployment use. */
    RegistryConfig registryConfig() {
        return RegistryConfig.builder().setUrl(registry.url()).build();
    }

    /**
     * Writes {@code n} labeled events of model {@link #MODEL}, then {@code undecodable} records that are not in the
     * registry wire format and {@code empty} events with an empty text (both dead-lettered by the job).
     */
    void produceEvents(String topic, int n, int undecodable, int empty) {
        produceEvents(kafka.bootstrapServers(), registryConfig(), topic, "event", 11, n, undecodable, empty);
    }

    /**
     * Writes to {@code topic} of the broker at {@code bootstrapServers}: {@code n} labeled events of model {@link
     * #MODEL} (ids {@code prefix}0.., texts from {@code seed}), {@code undecodable} records that are not in the
     * registry wire format and {@code empty} events with an empty text; waits for every ack.
     */
    static void produceEvents(String bootstrapServers, RegistryConfig registry, String topic, String prefix,
            long seed, int n, int undecodable, int empty) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                RegistryAvroSerializer<LabeledText> serializer =
                        new RegistryAvroSerializer<>(LabeledText.class, registry)) {
            for (LabeledText event : TestData.labeledTexts(MODEL, prefix, n, seed)) {
                producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, event)));
            }
            for (int i = 0; i < undecodable; i++) {
                producer.send(new ProducerRecord<>(topic, key, ("not avro " + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (LabeledText event : TestData.labeledTexts(MODEL, "empty", empty, seed + 1)) {
                event.setText("   ");
                producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, event)));
            }
            producer.flush();
        }
    }

    /** Job options for this deployment: a small, fast learner reading {@code topic} from the start. */
    Map<String, String> jobOptions(String topic, boolean bounded) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> o = new LinkedHashMap<>(TestData.smallLearnerOptions());
        o.put(JobOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        o.put(JobOptions.REGISTRY_URL.key(), registry.url());
        o.put(JobOptions.INPUT_TOPIC.key(), topic);
        o.put(JobOptions.BOUNDED.key(), Boolean.toString(bounded));
        o.put(JobOptions.STARTING_OFFSETS.key(), "EARLIEST");
        o.put(JobOptions.GROUP_ID.key(), "deploy-" + run);
        o.put(JobOptions.TRANSACTIONAL_ID_PREFIX.key(), "deploy-" + run);
        o.put(JobOptions.JOB_NAME.key(), "bulwark-" + run);
        o.put(JobOptions.BATCH_SIZE.key(), "8");
        o.put(JobOptions.BATCH_TIMEOUT.key(), "0");
        o.put(JobOptions.SNAPSHOT_EVERY_BATCHES.key(), "2");
        o.put(JobOptions.SNAPSHOT_INTERVAL.key(), "0");
        o.put(JobOptions.HELD_OUT_FRACTION.key(), "0.1");
        o.put(JobOptions.HELD_OUT_WINDOW.key(), "16");
        o.put(JobOptions.EVAL_ATTACK_STEPS.key(), "1");
        o.put(JobOptions.CHECKPOINT_INTERVAL.key(), "1s");
        // As `flink run -p` of deploy/bin/bulwark-init.sh (BULWARK_PARALLELISM, default 1).
        o.put("parallelism.default", "1");
        return o;
    }

    /** Builds the Bulwark job of {@code options} and submits it to the MiniCluster. */
    JobID submit(Map<String, String> options) throws Exception {
        Configuration conf = Configuration.fromMap(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BulwarkJob.build(env, conf);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(conf.get(JobOptions.JOB_NAME));
        return cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
    }

    /** Waits for a job to end and fails with its cause when it did not succeed. */
    void awaitSuccess(JobID job, Duration timeout) throws Exception {
        JobResult result = cluster.requestJobResult(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!result.isSuccess()) {
            Throwable cause = result.getSerializedThrowable()
                    .map(t -> t.deserializeError(getClass().getClassLoader()))
                    .orElse(null);
            throw new AssertionError("Job " + job + " ended " + result.getApplicationStatus(), cause);
        }
    }

    /** Creates a topic with the broker's defaults. */
    void createTopic(String name, int partitions) {
        kafka.createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a snapshot topic as deploy/bin/bulwark-init.sh does: messages as large as the job's producers may
     * send (a snapshot with the wide side is a few MiB, above the broker's 1 MiB default).
     */
    void createSnapshotTopic(String name) {
        kafka.createTopic(name, 1, Map.of("max.message.bytes",
                Long.toString(JobOptions.MAX_REQUEST_SIZE.defaultValue().getBytes())));
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        try {
            cluster.close();
        } catch (Exception e) {
            failure = e;
        }
        registry.close();
        kafka.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
