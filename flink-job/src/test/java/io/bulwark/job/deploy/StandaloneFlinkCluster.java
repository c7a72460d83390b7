package io.bulwark.job.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A standalone Flink session cluster of separate JVMs on loopback, started from Flink's own entrypoints as
 * Flink's scripts start them: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers
 * ({@code TaskManagerRunner}), each with {@code --configDir} pointing at a written {@code config.yaml}. The
 * classpath is Flink's {@code lib/} equivalent resolved by Maven (target/flink-cluster.classpath: Flink, log4j
 * and DJL) plus flink-runtime-web; the job arrives as a jar through the REST API, as {@code flink run} sends it.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

    /** What Flink's distribution puts into {@code env.java.opts.all} for Java 17. */
    static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path workDir;
    final int restPort;
    private final String classpath;
    private final Process jobManager;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StandaloneFlinkCluster(Path workDir, int restPort, String classpath, Process jobManager) {
        this.workDir = workDir;
        this.restPort = restPort;
        this.classpath = classpath;
        this.jobManager = jobManager;
    }

    /** Writes the configuration, starts the JobManager and waits until its REST API answers. */
    static StandaloneFlinkCluster start(Path workDir) throws Exception {
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        int restPort = freePort();
        Files.writeString(conf.resolve("config.yaml"), config(workDir, freePort(), restPort), StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FileAppender",
                "appender.file.name = FileAppender",
                "appender.file.type = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                ""), StandardCharsets.UTF_8);
        String classpath = clusterClasspath();
        Process jm = launch(workDir, classpath, "jobmanager",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of("-Xmx512m"));
        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(workDir, restPort, classpath, jm);
        try {
            cluster.await("the JobManager's REST API", Duration.ofMinutes(2), () -> cluster.tryGet("/overview") != null);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * The cluster's configuration. What Flink's scripts compute for a TaskManager is given explicitly: CPU cores
     * and every memory component. DJL comes from the classpath, parent-first.
     */
    private static String config(Path workDir, int rpcPort, int restPort) {
        Path data = workDir.toAbsolutePath();
        return String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + rpcPort,
                "jobmanager.bind-host: 127.0.0.1",
                "jobmanager.memory.process.size: 1024m",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.host: 127.0.0.1",
                "taskmanager.numberOfTaskSlots: 1",
                "taskmanager.cpu.cores: 1",
                "taskmanager.memory.framework.heap.size: 128m",
                "taskmanager.memory.task.heap.size: 1024m",
                "taskmanager.memory.framework.off-heap.size: 128m",
                "taskmanager.memory.task.off-heap.size: 256m",
                "taskmanager.memory.managed.size: 64m",
                "taskmanager.memory.network.min: 64m",
                "taskmanager.memory.network.max: 64m",
                "taskmanager.memory.jvm-metaspace.size: 256m",
                "taskmanager.memory.jvm-overhead.min: 192m",
                "taskmanager.memory.jvm-overhead.max: 192m",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + restPort,
                "web.upload.dir: " + data.resolve("upload"),
                "io.tmp.dirs: " + data.resolve("tmp"),
                "classloader.parent-first-patterns.additional: ai.djl.",
                "heartbeat.interval: 1000",
                "heartbeat.timeout: 6000",
                "state.backend.type: hashmap",
                "execution.checkpointing.dir: " + data.resolve("checkpoints").toUri(),
                "execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION",
                "restart-strategy.type: fixed-delay",
                "restart-strategy.fixed-delay.attempts: 20",
                "restart-strategy.fixed-delay.delay: 1s",
                "");
    }

    /** Flink's lib/ equivalent: target/flink-cluster.classpath and flink-runtime-web from the test classpath. */
    private static String clusterClasspath() throws IOException {
        Path file = DeployFiles.repoRoot().resolve("flink-job/target/flink-cluster.classpath");
        String lib = Files.readString(file, StandardCharsets.UTF_8).strip();
        String web = null;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Path.of(entry).getFileName().toString().startsWith("flink-runtime-web-")) {
                web = entry;
            }
        }
        if (web == null || lib.isEmpty() || lib.contains("bulwark")) {
            throw new IllegalStateException("Unexpected cluster classpath: " + lib + " (web: " + web + ")");
        }
        return lib + java.io.File.pathSeparator + web;
    }

    private static Process launch(Path workDir, String classpath, String name, String mainClass, List<String> jvm)
            throws IOException {
        Files.createDirectories(workDir.resolve("log"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_17_OPTS);
        command.addAll(jvm);
        command.add("-Dai.djl.offline=true");
        command.add("-Dlog.file=" + workDir.resolve("log/" + name + ".log"));
        command.add("-Dlog4j.configurationFile=file:" + workDir.resolve("conf/log4j.properties"));
        command.add("-Djava.io.tmpdir=" + Files.createDirectories(workDir.resolve("tmp")));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(workDir.resolve("conf").toString());
        if (name.startsWith("tm-")) {
            command.add("-Dtaskmanager.resource-id=" + name);
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("log/" + name + ".out").toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }

    /** Starts a TaskManager with resource id {@code name} and waits until the JobManager lists it. */
    void startTaskManager(String name) throws Exception {
        // Heap as the TaskManager's memory model asks: framework + task heap.
        Process tm = launch(workDir, classpath, name, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                List.of("-Xmx1152m", "-Xms1152m", "-XX:MaxDirectMemorySize=448m", "-XX:MaxMetaspaceSize=256m"));
        taskManagers.put(name, tm);
        await("TaskManager " + name + " to register", Duration.ofMinutes(2), () -> {
            if (!tm.isAlive()) {
                throw new AssertionError("TaskManager " + name + " exited; see " + workDir.resolve("log/" + name + ".log"));
            }
            return taskManagerIds().contains(name);
        });
    }

    /** Kills a TaskManager's JVM with SIGKILL. */
    void kill(String name) throws InterruptedException {
        Process tm = taskManagers.remove(name);
        tm.destroyForcibly();
        tm.waitFor(30, TimeUnit.SECONDS);
    }

    List<String> taskManagerIds() {
        JsonNode tms = tryGet("/taskmanagers");
        List<String> ids = new ArrayList<>();
        if (tms != null) {
            tms.path("taskmanagers").forEach(t -> ids.add(t.path("id").asText()));
        }
        return ids;
    }

    /** Uploads a jar as {@code flink run} does ({@code POST /jars/upload}) and returns its id. */
    String uploadJar(Path jar) throws Exception {
        String boundary = "bulwark-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .timeout(Duration.ofMinutes(2))
                .build();
        JsonNode answer = send(request);
        String filename = answer.path("filename").asText();
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("Jar upload failed: " + answer);
        }
        return Path.of(filename).getFileName().toString();
    }

    /** Runs an uploaded jar's main class ({@code POST /jars/:id/run}), optionally from a checkpoint. */
    String runJar(String jarId, List<String> args, String restoreFrom) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("programArgsList", args);
        body.put("parallelism", 1);
        if (restoreFrom != null) {
            body.put("savepointPath", restoreFrom);
        }
        HttpRequest request = HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(Duration.ofMinutes(3))
                .build();
        JsonNode answer = send(request);
        if (!answer.hasNonNull("jobid")) {
            throw new IllegalStateException("Job submission failed: " + answer);
        }
        return answer.get("jobid").asText();
    }

    /** Cancels a job ({@code PATCH /jobs/:id?mode=cancel}) and waits until it is CANCELED. */
    void cancel(String jobId) throws Exception {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
        await("job " + jobId + " to be cancelled", Duration.ofMinutes(1), () -> "CANCELED".equals(state(jobId)));
    }

    String state(String jobId) {
        JsonNode job = tryGet("/jobs/" + jobId);
        return job == null ? null : job.path("state").asText();
    }

    /** The TaskManagers the job's running tasks are deployed on, each once. */
    List<String> taskManagersOf(String jobId) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        JsonNode job = tryGet("/jobs/" + jobId);
        if (job != null) {
            for (JsonNode vertex : job.path("vertices")) {
                JsonNode tms = tryGet("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
                if (tms != null) {
                    tms.path("taskmanagers").forEach(t -> {
                        if ("RUNNING".equals(t.path("status").asText())) {
                            out.add(t.path("taskmanager-id").asText());
                        }
                    });
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Completed checkpoints of a job. */
    long completedCheckpoints(String jobId) {
        JsonNode c = tryGet("/jobs/" + jobId + "/checkpoints");
        return c == null ? 0 : c.path("counts").path("completed").asLong();
    }

    /** Path of the job's latest completed checkpoint, retained on cancellation. */
    String latestCheckpoint(String jobId) {
        JsonNode c = tryGet("/jobs/" + jobId + "/checkpoints");
        return c == null ? null : c.path("latest").path("completed").path("external_path").asText(null);
    }

    /** The job's restarts, from its {@code numRestarts} metric. */
    long restarts(String jobId) {
        JsonNode m = tryGet("/jobs/" + jobId + "/metrics?get=numRestarts");
        return m == null || m.isEmpty() ? 0 : m.get(0).path("value").asLong();
    }

    /** The root exception of the job's latest failure, or null. */
    String rootException(String jobId) {
        JsonNode e = tryGet("/jobs/" + jobId + "/exceptions");
        return e == null ? null : e.path("root-exception").asText(null);
    }

    /** Lines of a process's log that contain {@code text}. */
    long logLines(String name, String text) throws IOException {
        Path log = workDir.resolve("log/" + name + ".log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what + "; logs in "
                        + workDir.resolve("log"));
            }
            if (!jobManager.isAlive()) {
                throw new AssertionError("The JobManager exited; see " + workDir.resolve("log/jobmanager.out"));
            }
            Thread.sleep(250);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private JsonNode tryGet(String path) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
        } catch (IOException | IllegalStateException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + r.statusCode() + " "
                    + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    @Override
    public void close() {
        for (Process tm : taskManagers.values()) {
            tm.destroyForcibly();
        }
        jobManager.destroy();
        try {
            jobManager.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        jobManager.destroyForcibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
