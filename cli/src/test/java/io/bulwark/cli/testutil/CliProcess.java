package io.bulwark.cli.testutil;

import io.bulwark.cli.BulwarkCli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code bulwark} command in a JVM of its own, started from this test JVM's java, classpath and JVM options, so a
 * test can kill it as an operating system would: {@link #kill()} is SIGKILL on Linux, {@link #terminate()} SIGTERM.
 */
public final class CliProcess {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code bulwark args...}; its output goes to {@code logPrefix.out} and {@code logPrefix.err}. */
    public static CliProcess start(Path logPrefix, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The test JVM's heap, tmpdir and DJL settings; not its debugger or coverage agents.
            if (!a.startsWith("-javaagent") && !a.startsWith("-agentlib") && !a.startsWith("-Xrunjdwp")) {
                command.add(a);
            }
        }
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BulwarkCli.class.getName());
        command.addAll(args);
        Path out = Path.of(logPrefix + ".out");
        Path err = Path.of(logPrefix + ".err");
        Files.createDirectories(out.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        p.getOutputStream().close();
        return new CliProcess(p, out, err);
    }

    /** Returns true while the process runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Sends SIGKILL (Linux) and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }

    /** Sends SIGTERM (Linux). */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to end and returns its exit code; fails with its output after the timeout. */
    public int await(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bulwark did not end within " + seconds + " s; stderr tail:\n" + errTail());
        }
        return process.exitValue();
    }

    /** Returns the standard output so far. */
    public String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** Returns the standard error so far. */
    public String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Returns the last 40 lines of standard error. */
    public String errTail() throws IOException {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
