package io.bulwark.kafka.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Runs one node of an embedded cluster in a JVM of its own: {@code java -cp ... KafkaNodeMain node.properties},
 * with a log directory formatted beforehand. SIGTERM, or the end of standard input (the parent process closed it
 * or died), shuts the node down cleanly; SIGKILL kills it as it would a real broker.
 */
public final class KafkaNodeMain {

    /** The line printed on standard output once the node has started. */
    static final String STARTED = "bulwark-kafka-node started";

    private KafkaNodeMain() {
    }

    /** Starts the node described by the properties file {@code args[0]} and runs until stopped. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: KafkaNodeMain NODE_PROPERTIES_FILE");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-shutdown"));
        Thread parentWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent writes nothing; end of input means it closed the pipe or died
                }
            } catch (IOException ignored) {
                // same as end of input
            }
            System.exit(0);
        }, "kafka-node-parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();
        try {
            server.startup();
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println(STARTED + " (node " + props.getProperty("node.id") + ")");
        System.out.flush();
        server.awaitShutdown();
    }
}
