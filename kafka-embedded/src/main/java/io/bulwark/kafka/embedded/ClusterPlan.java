package io.bulwark.kafka.embedded;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The layout of an embedded KRaft cluster: its nodes, where each listens and keeps its log, and the configuration
 * each runs with.
 *
 * <p>Every node is both broker and controller (KRaft combined mode), so the controller quorum has one voter per
 * broker: three nodes keep a quorum (2 of 3) and every partition when one of them dies. With three nodes, every
 * topic, the internal ones included ({@code __consumer_offsets}, {@code __transaction_state}, the registry's
 * {@code _schemas}), has replication factor 3 and {@code min.insync.replicas} 2, so a write acknowledged with
 * {@code acks=all} is on at least two brokers and one broker may be lost without losing it or stopping writes. A
 * single node uses 1 and 1.
 */
final class ClusterPlan {

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String SINGLE_NODE_LOG_DIR = "kraft-combined-logs";
    private static final String NODE_DIR_PREFIX = "broker-";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPlan.class);

    private final String host;
    private final Path dataDir;
    private final int[] brokerPorts;
    private final int[] controllerPorts;
    private final Map<String, String> overrides;

    private ClusterPlan(String host, Path dataDir, int[] brokerPorts, int[] controllerPorts,
                        Map<String, String> overrides) {
        this.host = host;
        this.dataDir = dataDir;
        this.brokerPorts = brokerPorts;
        this.controllerPorts = controllerPorts;
        this.overrides = overrides;
    }

    /**
     * Plans {@code nodes} nodes on {@code host}: client ports {@code port, port + 1, ...} when {@code port > 0},
     * free ports otherwise; controller ports are always free ones.
     */
    static ClusterPlan allocate(String host, int nodes, int port, Path dataDir, Map<String, String> overrides) {
        int[] controllers = freePorts(host, nodes);
        int[] brokers = port > 0 ? IntStream.range(0, nodes).map(i -> port + i).toArray() : freePorts(host, nodes);
        return new ClusterPlan(host, dataDir, brokers, controllers, overrides);
    }

    /** Returns the number of nodes. */
    int nodes() {
        return brokerPorts.length;
    }

    /** Returns the node ids, 1..n. */
    List<Integer> nodeIds() {
        return IntStream.rangeClosed(1, nodes()).boxed().collect(Collectors.toList());
    }

    /** Returns the replication factor of every topic: 3, or the number of nodes when smaller. */
    short replicationFactor() {
        return (short) Math.min(3, nodes());
    }

    /** Returns {@code min.insync.replicas} of every topic: 2 with three replicas, else 1. */
    int minInsyncReplicas() {
        return replicationFactor() >= 3 ? 2 : 1;
    }

    /** Returns the data directory of the cluster. */
    Path dataDir() {
        return dataDir;
    }

    /** Returns a node's log directory: its own subdirectory of the data directory. */
    Path logDir(int nodeId) {
        return nodes() == 1 ? dataDir.resolve(SINGLE_NODE_LOG_DIR) : dataDir.resolve(NODE_DIR_PREFIX + nodeId);
    }

    /** Returns {@code host:port} of a node's client listener. */
    String brokerAddress(int nodeId) {
        return host + ":" + brokerPorts[nodeId - 1];
    }

    /** Returns the client listeners of every node, comma-separated. */
    String bootstrapServers() {
        return nodeIds().stream().map(this::brokerAddress).collect(Collectors.joining(","));
    }

    /** Returns the configuration of one node. */
    Map<String, Object> properties(int nodeId) {
        String rf = Short.toString(replicationFactor());
        String minIsr = Integer.toString(minInsyncReplicas());
        String voters = nodeIds().stream().map(id -> id + "@" + host + ":" + controllerPorts[id - 1])
                .collect(Collectors.joining(","));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", BROKER_LISTENER + "://" + brokerAddress(nodeId) + "," + CONTROLLER_LISTENER
                + "://" + host + ":" + controllerPorts[nodeId - 1]);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + brokerAddress(nodeId));
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir(nodeId).toString());
        // Every topic, internal ones too, gets the same durability: rf replicas, minIsr of them in sync for acks=all.
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("unclean.leader.election.enable", "false");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Small footprint on a shared machine.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    /**
     * Refuses a data directory that holds a cluster of another size: its brokers' data would be silently ignored.
     */
    static void checkDataDir(Path dataDir, int nodes) {
        boolean single = Files.isDirectory(dataDir.resolve(SINGLE_NODE_LOG_DIR));
        List<String> multi = new ArrayList<>();
        try (var entries = Files.list(dataDir)) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(NODE_DIR_PREFIX)
                    && Files.isDirectory(dataDir.resolve(n))).sorted().forEach(multi::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the Kafka data directory " + dataDir, e);
        }
        String found = single ? "a single broker (" + SINGLE_NODE_LOG_DIR + "/)"
                : "a cluster of several brokers (" + String.join(", ", multi) + ")";
        boolean mismatch = nodes == 1 ? !multi.isEmpty()
                : single || multi.stream().anyMatch(n -> !n.matches(NODE_DIR_PREFIX + "[1-9][0-9]*")
                        || Integer.parseInt(n.substring(NODE_DIR_PREFIX.length())) > nodes);
        if (mismatch) {
            throw new IllegalStateException("The Kafka data directory " + dataDir + " holds the data of " + found
                    + ", not of " + (nodes == 1 ? "a single broker" : nodes + " brokers") + ": start with the "
                    + "number of brokers it was created with, or use another data directory");
        }
    }

    /** Formats every node's log directory that is not formatted yet, all with one cluster id. */
    void formatIfNeeded() {
        String clusterId = existingClusterId().orElseGet(() -> Uuid.randomUuid().toString());
        for (int nodeId : nodeIds()) {
            Path logDir = logDir(nodeId);
            if (Files.exists(logDir.resolve("meta.properties"))) {
                continue;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                Files.createDirectories(logDir);
                new Formatter()
                        .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                        .setNodeId(nodeId)
                        .setClusterId(clusterId)
                        .setDirectories(List.of(logDir.toString()))
                        .setMetadataLogDirectory(logDir.toString())
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot format Kafka log directory " + logDir + ": " + e
                        + " " + out.toString(StandardCharsets.UTF_8), e);
            }
            LOG.debug("Formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private Optional<String> existingClusterId() {
        for (int nodeId : nodeIds()) {
            Path meta = logDir(nodeId).resolve("meta.properties");
            if (Files.exists(meta)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(meta)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + meta, e);
                }
                return Optional.ofNullable(p.getProperty("cluster.id"));
            }
        }
        return Optional.empty();
    }

    /** Finds {@code n} distinct free ports, holding each until all are found. */
    private static int[] freePorts(String host, int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + host, e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a port that cannot be closed here shows up as a bind failure, which start() retries
                }
            }
        }
    }
}
