package io.bulwark.kafka.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Starts, waits for and stops the nodes of an embedded cluster, concurrently where KRaft needs it. */
final class NodeLauncher {

    private NodeLauncher() {
    }

    /**
     * Starts nodes, each in a thread of its own for in-process nodes: a node's startup returns only once a quorum
     * of controllers is up.
     */
    static void start(ClusterPlan plan, List<Integer> ids, boolean processes,
                      Map<Integer, KafkaNode> started, Duration timeout) {
        if (processes) {
            for (int id : ids) {
                started.put(id, NodeProcess.start(id, plan.properties(id), plan.dataDir()));
            }
            return;
        }
        List<Thread> threads = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int id : ids) {
            InProcessNode node = InProcessNode.create(id, plan.properties(id));
            started.put(id, node);
            Thread t = new Thread(() -> {
                try {
                    node.startup();
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "kafka-node-" + id + "-startup");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted starting the Kafka nodes", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Waits until the given nodes have started (their processes have said so, for separate processes). */
    static void awaitStarted(Map<Integer, KafkaNode> nodes, List<Integer> ids, long deadline) {
        while (!ids.stream().allMatch(id -> nodes.get(id).started())) {
            ids.forEach(id -> nodes.get(id).checkAlive());
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (int id : ids) {
                    String tail = nodes.get(id).started() ? "" : nodes.get(id).logTail(15);
                    if (!tail.isEmpty()) {
                        logs.append("\n--- end of the log of node ").append(id).append(" ---\n").append(tail);
                    }
                }
                throw new IllegalStateException("Kafka nodes " + ids + " did not start in time" + logs);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for the Kafka nodes to start", e);
            }
        }
    }

    /** Stops nodes concurrently: a node's controlled shutdown needs the others' controllers. */
    static void stopAll(Collection<KafkaNode> toStop) {
        List<Thread> threads = new ArrayList<>();
        for (KafkaNode node : toStop) {
            Thread t = new Thread(node::stop, "kafka-node-" + node.id() + "-shutdown");
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
