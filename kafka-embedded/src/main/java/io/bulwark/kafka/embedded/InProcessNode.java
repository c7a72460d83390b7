package io.bulwark.kafka.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** A node running in this JVM: a {@link KafkaRaftServer}. */
final class InProcessNode implements KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessNode.class);

    private final int id;
    private final KafkaRaftServer server;
    private volatile boolean started;
    private volatile boolean stopped;

    private InProcessNode(int id, KafkaRaftServer server) {
        this.id = id;
        this.server = server;
    }

    /** Creates a node from its configuration; {@link #startup()} starts it. */
    static InProcessNode create(int id, Map<String, Object> properties) {
        return new InProcessNode(id, new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM));
    }

    /**
     * Starts the node; returns once its broker is unfenced, which needs a quorum of the controllers: the nodes of
     * a cluster must start concurrently.
     */
    void startup() {
        server.startup();
        started = true;
    }

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public boolean alive() {
        return !stopped;
    }

    @Override
    public void checkAlive() {
        if (stopped) {
            throw new IllegalStateException("Kafka node " + id + " was stopped");
        }
    }

    @Override
    public String logTail(int lines) {
        return "";
    }

    @Override
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka node {} shutdown failed", id, e);
        }
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("Kafka node " + id + " runs in this JVM and cannot be killed alone; "
                + "start the cluster with separate processes to kill one of its nodes");
    }
}
