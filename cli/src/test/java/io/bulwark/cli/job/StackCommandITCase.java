package io.bulwark.cli.job;

import io.bulwark.cli.testutil.CliProcess;
import io.bulwark.cli.testutil.JobRuns;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bulwark stack --brokers 3}, as a user starts it: three brokers, every topic (the job's, the registry's and
 * Kafka's internal ones) with replication factor 3 and min.insync.replicas 2, each broker's data in its own
 * directory, and a clean stop on SIGTERM.
 */
class StackCommandITCase {

    @Test
    void threeBrokersReplicateEveryTopicAndKeepTheirDataApart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("stack");
        CliProcess stack = CliProcess.start(dir.resolve("stack"), List.of("stack", "--brokers", "3",
                "--kafka-port", "0", "--registry-port", "0", "--partitions", "2", "--data-dir", data.toString()));
        try {
            JobRuns.await("the stack to be ready", Duration.ofMinutes(3), () -> {
                if (!stack.alive()) {
                    throw new AssertionError("stack exited: " + tail(stack));
                }
                return line(stack, "Ready.").isPresent();
            });
            String bootstrap = line(stack, "kafka ").orElseThrow().split("\\s+")[1];
            assertThat(bootstrap.split(",")).hasSize(3);
            assertThat(line(stack, "kafka ").orElseThrow()).contains("3 brokers", "replication factor 3",
                    "min.insync.replicas 2");
            assertThat(stack.out().lines().filter(l -> l.startsWith("broker ")).count()).isEqualTo(3);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                List<String> topics = new ArrayList<>(stack.out().lines().filter(l -> l.startsWith("topic "))
                        .map(l -> l.split("\\s+")[1]).collect(Collectors.toList()));
                topics.add("_schemas");
                assertThat(topics).hasSize(7);
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
                for (String topic : topics) {
                    for (TopicPartitionInfo p : described.get(topic).partitions()) {
                        assertThat(p.replicas()).as(topic + " replicas").hasSize(3);
                        assertThat(p.isr()).as(topic + " in-sync replicas").hasSize(3);
                    }
                    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
                    assertThat(c.get("min.insync.replicas").value()).as(topic + " min.insync.replicas")
                            .isEqualTo("2");
                }
            }
            stack.terminate();
            assertThat(stack.await(180)).as("exit code after SIGTERM; " + tail(stack)).isZero();
            assertThat(stack.err()).contains("Stopped.");
        } finally {
            if (stack.alive()) {
                stack.kill();
            }
        }
        for (int id = 1; id <= 3; id++) {
            assertThat(data.resolve("kafka/broker-" + id + "/meta.properties")).exists();
        }
        assertThat(data.resolve("kafka/kraft-combined-logs")).doesNotExist();
    }

    private static Optional<String> line(CliProcess process, String prefix) {
        try {
            return process.out().lines().filter(l -> l.startsWith(prefix)).findFirst();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String tail(CliProcess process) {
        try {
            return process.errTail();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
