package io.bulwark.kafka.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A node running in a JVM of its own ({@link KafkaNodeMain}), started from this JVM's java and class path, so it can
 * be killed with SIGKILL as a real broker is. Its configuration and its log are files beside its log directory. The
 * node stops by itself when this JVM dies: it watches its standard input, a pipe this object holds open.
 */
final class NodeProcess implements KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);
    /**
     * A node's JVM: a small heap and the serial collector for a few small topics, and only the quick JIT tier, which
     * starts a broker with less CPU on a shared machine.
     */
    private static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    private final int id;
    private final Process process;
    private final Path log;
    private final OutputStream stdin;

    private final long startedLinesBefore;

    private NodeProcess(int id, Process process, Path log, long startedLinesBefore) {
        this.id = id;
        this.process = process;
        this.log = log;
        this.stdin = process.getOutputStream();
        this.startedLinesBefore = startedLinesBefore;
    }

    /** Launches a node; it is ready once the cluster lists it, which the caller waits for. */
    static NodeProcess start(int id, Map<String, Object> properties, Path dir) {
        Path config = dir.resolve("broker-" + id + ".properties");
        Path log = dir.resolve("broker-" + id + ".log");
        Properties p = new Properties();
        properties.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KafkaNodeMain.class.getName());
        command.add(config.toString());
        try {
            Files.createDirectories(dir);
            long before = startedLines(log);
            try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                p.store(w, "Kafka node " + id + " of an embedded cluster");
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            LOG.info("Kafka node {} started as process {} (log {})", id, process.pid(), log);
            return new NodeProcess(id, process, log, before);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Kafka node " + id + " as a process", e);
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka node " + id + " (process " + process.pid() + ") exited with code "
                    + process.exitValue() + "; end of " + log + ":\n" + logTail(40));
        }
    }

    @Override
    public boolean started() {
        return startedLines(log) > startedLinesBefore;
    }

    private static long startedLines(Path log) {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.startsWith(KafkaNodeMain.STARTED)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Returns true when the node's log says it could not bind a port. */
    boolean portClash() {
        String tail = logTail(200);
        return tail.contains("BindException") || tail.contains("Address already in use");
    }

    @Override
    public void stop() {
        try {
            stdin.close();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                LOG.warn("Kafka node {} did not stop within 2 minutes: killing it", id);
                kill();
            }
        } catch (IOException e) {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    @Override
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Kafka node " + id + " (process " + process.pid()
                        + ") still runs a minute after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Kafka node {} (process {}) killed", id, process.pid());
    }

    @Override
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
