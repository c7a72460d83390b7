package io.bulwark.job.deploy;

import io.bulwark.job.JobOptions;
import io.bulwark.job.train.DeviceSelector;
import io.bulwark.job.train.TrainingOperator;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.runtime.externalresource.ExternalResourceUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bulwark.job.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GPU path of the deployment on a machine without GPUs: a MiniCluster on the deployed Flink configuration,
 * whose GPU external resource runs the deployed discovery script (deploy/flink/bulwark-gpu-discovery.sh) against
 * a stand-in {@code nvidia-smi}, runs the Bulwark job; the training operator must pick the GPU the resource
 * names, and the CPU when the script finds none. The driver is {@link ScriptGpuDriverFactory}, a stand-in for
 * Flink's GPU driver with the same contract.
 */
class GpuExternalResourceITCase {

    private static final Pattern DEVICE = Pattern.compile("^Training on device (\\S+) \\(option 'auto'");
    private static final String TOPIC = "gpu.events";

    private static EmbeddedDeployment stack;

    @BeforeAll
    static void start() throws Exception {
        stack = EmbeddedDeployment.start();
        stack.createTopic(TOPIC, 1);
        stack.createSnapshotTopic(JobOptions.SNAPSHOTS_TOPIC.defaultValue());
        stack.createSnapshotTopic(JobOptions.LATEST_TOPIC.defaultValue());
        for (String topic : List.of(JobOptions.REPORTS_TOPIC.defaultValue(),
                JobOptions.DEAD_LETTER_TOPIC.defaultValue())) {
            stack.createTopic(topic, 1);
        }
        stack.produceEvents(TOPIC, 40, 0, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void discoveryScriptPrintsTheIndexesOfVisibleGpus() throws Exception {
        Path smi = fakeNvidiaSmi("two-gpus", "3", "5");
        assertThat(discover("1", "--nvidia-smi", smi.toString())).isEqualTo(new Result(0, "3"));
        assertThat(discover("2", "--nvidia-smi", smi.toString())).isEqualTo(new Result(0, "3,5"));
        // Flink's driver appends "null" when discovery-script.args is unset.
        assertThat(discover("1", "--nvidia-smi", smi.toString(), "null")).isEqualTo(new Result(0, "3"));
        assertThat(discover("3", "--nvidia-smi", smi.toString()).exit).as("more GPUs asked than visible").isEqualTo(1);
        assertThat(discover("1", "--nvidia-smi", stack.workDir.resolve("absent").toString()).exit)
                .as("no nvidia-smi").isEqualTo(1);
        assertThat(discover("0").exit).as("amount 0").isEqualTo(2);
    }

    @Test
    void trainingOperatorTrainsOnTheGpuTheExternalResourceNames() throws Exception {
        Path smi = fakeNvidiaSmi("gpu-3-and-5", "3", "5");
        stack.useExternalResources(gpuTaskManagerConfig("--nvidia-smi " + smi), new ScriptGpuDriverFactory());
        long snapshotsBefore = countRecords(JobOptions.SNAPSHOTS_TOPIC.defaultValue());

        List<String> log = runJob();

        assertThat(devices(log)).containsExactly("gpu:3");
        // No GPU in this JVM: the learner asked for gpu:3 falls back to the CPU and trains there.
        assertThat(log).anyMatch(m -> m.startsWith("New model '" + EmbeddedDeployment.MODEL + "' on cpu"));
        assertThat(countRecords(JobOptions.SNAPSHOTS_TOPIC.defaultValue())).isGreaterThan(snapshotsBefore);
    }

    @Test
    void trainingOperatorFallsBackToCpuWhenNoGpuIsDiscovered() throws Exception {
        Path absent = stack.workDir.resolve("no-such-nvidia-smi");
        stack.useExternalResources(gpuTaskManagerConfig("--nvidia-smi " + absent), new ScriptGpuDriverFactory());

        List<String> log = runJob();

        assertThat(devices(log)).containsExactly("cpu");
    }

    @Test
    void cpuTaskManagersOfTheComposeFileHaveNoGpuResource() {
        Map<String, Object> services = map(DeployFiles.yaml("docker-compose.yml"), "services");
        String properties = String.valueOf(map(map(services, "taskmanager-cpu"), "environment").get("FLINK_PROPERTIES"));
        Configuration tm = new Configuration(stack.clusterConfig);
        int colon = properties.indexOf(':');
        tm.setString(properties.substring(0, colon).trim(), properties.substring(colon + 1).trim());
        tm.setString("external-resource.gpu.driver-factory.class", ScriptGpuDriverFactory.class.getName());

        PluginManager plugins = new PluginManager() {
            @Override
            @SuppressWarnings("unchecked")
            public <P> Iterator<P> load(Class<P> service) {
                return service == ExternalResourceDriverFactory.class
                        ? (Iterator<P>) List.of(new ScriptGpuDriverFactory()).iterator()
                        : Collections.emptyIterator();
            }
        };
        var infos = ExternalResourceUtils.createStaticExternalResourceInfoProviderFromConfig(tm, plugins)
                .getExternalResourceInfos(JobOptions.GPU_RESOURCE.defaultValue());
        assertThat(infos).isEmpty();
        assertThat(DeviceSelector.select(JobOptions.DEVICE.defaultValue(), infos)).isEqualTo("cpu");
    }

    /**
     * The TaskManager configuration of the GPU TaskManagers, with the two things that only exist in the image
     * replaced: the driver (here the stand-in) and the script's location (here the repository's copy).
     */
    private static Configuration gpuTaskManagerConfig(String scriptArgs) {
        Configuration tm = new Configuration(stack.clusterConfig);
        assertThat(tm.toMap()).containsEntry("external-resource.gpu.driver-factory.class",
                "org.apache.flink.externalresource.gpu.GPUDriverFactory");
        tm.setString("external-resource.gpu.driver-factory.class", ScriptGpuDriverFactory.class.getName());
        tm.setString("external-resource.gpu.param.discovery-script.path",
                DeployFiles.file("deploy/flink/bulwark-gpu-discovery.sh").toString());
        tm.setString("external-resource.gpu.param.discovery-script.args", scriptArgs);
        return tm;
    }

    private static List<String> runJob() throws Exception {
        try (LogCapture log = new LogCapture(TrainingOperator.class)) {
            JobID job = stack.submit(stack.jobOptions(TOPIC, true));
            stack.awaitSuccess(job, Duration.ofMinutes(4));
            return log.messages();
        }
    }

    private static List<String> devices(List<String> log) {
        List<String> out = new ArrayList<>();
        for (String message : log) {
            Matcher m = DEVICE.matcher(message);
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static Path fakeNvidiaSmi(String name, String... indexes) throws Exception {
        Path script = stack.workDir.resolve(name);
        Files.writeString(script, "#!/bin/sh\nprintf '" + String.join("\\n", indexes) + "\\n'\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private record Result(int exit, String out) {
    }

    private static Result discover(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(DeployFiles.file("deploy/flink/bulwark-gpu-discovery.sh").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return new Result(p.exitValue(), out);
    }

    /** Counts the committed records of a topic. */
    private static long countRecords(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }
}
