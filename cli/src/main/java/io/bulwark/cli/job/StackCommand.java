package io.bulwark.cli.job;

import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.StopSignals;
import io.bulwark.cli.local.TopicLayout;

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
 * A local development stack: the embedded KRaft broker and the schema registry, with the job's topics created,
 * running until Ctrl-C or SIGTERM. {@code run}, {@code produce}, {@code snapshots} and {@code serve} connect to it.
 */
@Command(name = "stack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts a Kafka broker (KRaft) and the schema registry in this process, creates the job's topics (the "
                    + "layout of the demo and of deploy/bin/bulwark-init.sh), prints their addresses and runs "
                    + "until Ctrl-C or SIGTERM, then shuts down cleanly.",
            "Connect with: ./bulwark run --bootstrap-servers <kafka> --registry-url <registry> --state-dir DIR"})
public final class StackCommand implements Callable<Integer> {

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "1",
            description = "Number of brokers (default 1; only a single broker is supported).")
    int brokers;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default 9092; 0 = a free port).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081",
            description = "Schema registry port (default 8081; 0 = a free port).")
    int registryPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data here across restarts (default: a temporary directory, deleted on "
                    + "exit). The registry keeps its schemas in the broker's _schemas topic.")
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
        if (brokers != 1) {
            throw new IllegalArgumentException("--brokers " + brokers + " is not supported: the embedded stack runs "
                    + "a single broker");
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
        try (EmbeddedStack stack = EmbeddedStack.start(kafkaPort, registryPort,
                dataDir == null ? null : dataDir.resolve("kafka"))) {
            TopicLayout layout = TopicLayout.of(new Configuration(), partitions, keep);
            stack.createTopics(layout);
            out.printf("kafka      %s%n", stack.bootstrapServers());
            out.printf("registry   %s%n", stack.registryUrl());
            for (Map.Entry<String, Integer> t : layout.partitions().entrySet()) {
                out.printf("topic      %s (%d partition%s)%n", t.getKey(), t.getValue(), t.getValue() == 1 ? "" : "s");
            }
            out.printf("data       %s%n", dataDir == null ? "temporary (deleted on exit)" : dataDir.toAbsolutePath());
            out.printf("Ready. Stop with Ctrl-C or SIGTERM.%n");
            out.flush();
            String signal = signals.await();
            err.printf("Received %s: stopping the registry and the broker...%n", signal);
            err.flush();
        } finally {
            signals.restore();
        }
        err.println("Stopped.");
        return 0;
    }
}
