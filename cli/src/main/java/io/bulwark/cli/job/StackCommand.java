package io.bulwark.cli.job;

import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.StopSignals;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.kafka.embedded.EmbeddedKafka;

import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A local development stack: the embedded KRaft broker (or a cluster of three) and the schema registry, with the
 * job's topics created, running until Ctrl-C or SIGTERM. {@code run}, {@code produce}, {@code snapshots} and
 * {@code serve} connect to it.
 */
@Command(name = "stack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts a Kafka broker (KRaft), or a cluster of three, and the schema registry in this process, creates "
                    + "the job's topics (the layout of the demo and of deploy/bin/bulwark-init.sh), prints their "
                    + "addresses and runs until Ctrl-C or SIGTERM, then shuts down cleanly.",
            "With --brokers 3 every topic, internal ones included, has replication factor 3 and "
                    + "min.insync.replicas 2: the cluster loses nothing and keeps serving when one broker dies. "
                    + "--broker-processes runs each broker in a JVM of its own, so one can be killed with kill -9.",
            "Connect with: ./bulwark run --bootstrap-servers <kafka> --registry-url <registry> --state-dir DIR"})
public final class StackCommand implements Callable<Integer> {

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "1|3",
            description = "Number of brokers: 1 (default), or 3, a KRaft cluster of combined broker-controllers "
                    + "with replication factor 3 and min.insync.replicas 2 for every topic.")
    int brokers;

    @Option(names = "--broker-processes",
            description = "Run each broker in a JVM of its own (its pid is printed) instead of in this process.")
    boolean brokerProcesses;

    @Option(names = "--kafka-port", defaultValue = "9092",
            description = "Port of the first broker (default 9092); broker i listens on this port + i - 1 "
                    + "(0 = free ports).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081",
            description = "Schema registry port (default 8081; 0 = a free port).")
    int registryPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the brokers' data here across restarts, in DIR/kafka (three brokers: "
                    + "DIR/kafka/broker-1, broker-2, broker-3; default: a temporary directory, deleted on exit). The "
                    + "registry keeps its schemas in the _schemas topic.")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "" + TopicLayout.DEFAULT_INPUT_PARTITIONS,
            description = "Partitions of the input topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--retention", defaultValue = "7d",
            description = "Retention of the topics (default ${DEFAULT-VALUE}; the latest-snapshot topic is compacted "
                    + "and kept).")
    String retention;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (brokers != 1 && brokers != 3) {
            throw new IllegalArgumentException("--brokers must be 1 or 3 (a KRaft quorum of three survives the loss "
                    + "of one broker; two would not), got " + brokers);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration keep = org.apache.flink.util.TimeUtils.parseDuration(retention);
        if (dataDir != null) {
            Files.createDirectories(dataDir);
        }
        StopSignals signals = StopSignals.install();
        EmbeddedKafka.Options.Builder kafkaOptions = EmbeddedKafka.Options.builder().optPort(kafkaPort)
                .optBrokers(brokers).optNodeProcesses(brokerProcesses);
        if (dataDir != null) {
            kafkaOptions.optDataDir(dataDir.resolve("kafka"));
        }
        try (EmbeddedStack stack = EmbeddedStack.start(kafkaOptions.build(), registryPort)) {
            TopicLayout layout = TopicLayout.of(new Configuration(), partitions, keep);
            stack.createTopics(layout);
            EmbeddedKafka kafka = stack.kafka();
            out.printf("kafka      %s (%d broker%s; replication factor %d, min.insync.replicas %d)%n",
                    stack.bootstrapServers(), kafka.brokers(), kafka.brokers() == 1 ? "" : "s",
                    kafka.replicationFactor(), kafka.minInsyncReplicas());
            if (kafka.brokers() > 1 || kafka.nodeProcesses()) {
                for (int id : kafka.nodeIds()) {
                    out.printf("broker     %d %s pid %d%s%n", id, kafka.brokerAddress(id), kafka.pid(id),
                            dataDir == null ? "" : " data " + kafka.logDir(id).toAbsolutePath());
                }
            }
            out.printf("registry   %s%n", stack.registryUrl());
            for (Map.Entry<String, Integer> t : layout.partitions().entrySet()) {
                out.printf("topic      %s (%d partition%s)%n", t.getKey(), t.getValue(), t.getValue() == 1 ? "" : "s");
            }
            out.printf("data       %s%n", dataDir == null ? "temporary (deleted on exit)" : dataDir.toAbsolutePath());
            out.printf("Ready. Stop with Ctrl-C or SIGTERM.%n");
            out.flush();
            String signal = signals.await();
            err.printf("Received %s: stopping the registry and the broker%s...%n", signal,
                    kafka.brokers() == 1 ? "" : "s");
            err.flush();
        } finally {
            signals.restore();
        }
        err.println("Stopped.");
        return 0;
    }
}
