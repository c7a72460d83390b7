package io.bulwark.cli.job;

import io.bulwark.serving.config.ServingConfig;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.ab.ArmSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.JobOptions;
import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.LocalFlink;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.model.data.BundledCorpus;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Runs everything in one process: a KRaft broker, the schema registry and a Flink MiniCluster; replays the bundled
 * SpamAssassin corpus (or a file) into the input topic and trains, showing progress and a final summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts a Kafka broker, a schema registry and a Flink MiniCluster in this process, replays the bundled "
                    + "SpamAssassin corpus (or --input) into the input topic and trains on it, printing progress "
                    + "on stderr and a summary on stdout.",
            "With --rate 0 every event is produced first and the job runs bounded (it stops at the end of the "
                    + "input); with --rate > 0 the job trains while events arrive and is drained when the last one "
                    + "was read. Ctrl-C stops everything cleanly."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--events", paramLabel = "N", defaultValue = "0",
            description = "Replay only the first N events (after ordering); 0 = all (default).")
    long events;

    @Option(names = "--input", paramLabel = "FILE",
            description = "JSONL or CSV file to replay instead of the bundled corpus; every record is sent as it is, "
                    + "so bad records show up as dead letters.")
    Path input;

    @Option(names = "--order", paramLabel = "original|time|shuffled",
            description = "Replay order (default: time for the bundled corpus, original for --input).")
    String order;

    @Mixin
    PacingOptions pacing = new PacingOptions();

    @Option(names = "--kafka-port", defaultValue = "0", description = "Broker port (0 = a free port).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "0", description = "Schema registry port (0 = a free port).")
    int registryPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep broker data, checkpoints and savepoints here (default: a temporary directory, "
                    + "deleted at the end).")
    Path dataDir;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the summary as JSON to FILE.")
    Path report;

    @Option(names = "--parallelism", defaultValue = "1", description = "Flink parallelism (default 1).")
    int parallelism;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the input topic.")
    int partitions;

    @Option(names = "--snapshot-every", defaultValue = "20", paramLabel = "BATCHES",
            description = "Publish a snapshot and a report every this many batches of a model (default 20).")
    int snapshotEvery;

    @Option(names = "--checkpoint-interval", defaultValue = "2s",
            description = "Flink checkpoint interval (default 2s): snapshots become visible on checkpoints.")
    String checkpointInterval;

    @Option(names = "--keep-running",
            description = "After the summary keep the broker and registry up (until Ctrl-C) to inspect the topics.")
    boolean keepRunning;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Option(names = "--serve-port", defaultValue = "8080",
            description = "Port of the serving process (scoring API, dashboard, /metrics) started beside the job on"
                    + " 127.0.0.1 (default 8080; 0 = a free port; -1 = no serving).")
    int servePort;

    @Option(names = "--monitor-reference", defaultValue = "200", paramLabel = "TEXTS",
            description = "Texts of serving's input monitor's reference window; after the job the demo serves the"
                    + " first this many replayed texts, then the last --monitor-window ones (default 200).")
    int monitorReference;

    @Option(names = "--monitor-window", defaultValue = "200", paramLabel = "TEXTS",
            description = "Texts of the monitor's current window (default 200).")
    int monitorWindow;

    @Mixin
    LearnerOptions learner = new LearnerOptions();

    @Spec
    CommandSpec spec;

    private final AtomicBoolean shutDown = new AtomicBoolean();
    private volatile EmbeddedStack stack;
    private volatile JobClient job;
    private volatile InputProducer producer;
    private volatile Path tempDir;
    private volatile ServingServer serving;

    @Override
    public Integer call() throws Exception {
        Thread hook = new Thread(this::shutdown, "bulwark-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(System.out, System.err);
        } finally {
            shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down (Ctrl-C): the hook does the cleanup.
            }
        }
    }

    private int run(PrintStream out, PrintStream err) throws Exception {
        long t0 = System.nanoTime();
        Path base = dataDir;
        if (base == null) {
            tempDir = Files.createTempDirectory("bulwark-demo");
            base = tempDir;
        }
        Files.createDirectories(base);
        boolean bounded = pacing.rate <= 0;

        List<RawInput> records = loadRecords(err);
        err.printf("Starting Kafka and the schema registry (data in %s)...%n", base);
        stack = EmbeddedStack.start(kafkaPort, registryPort, base.resolve("kafka"));
        Configuration jobConf = jobConfiguration(bounded);
        TopicLayout layout = TopicLayout.of(jobConf, partitions, Duration.ofDays(7));
        stack.createTopics(layout);
        err.printf("Kafka %s, schema registry %s, topics %s%n", stack.bootstrapServers(), stack.registryUrl(),
                layout.partitions().keySet());

        if (servePort >= 0) {
            serving = ServingServer.start(ServingConfig.builder().optHost("127.0.0.1").optPort(servePort)
                    .optKafka(stack.bootstrapServers(), stack.registryUrl())
                    .optTopics(layout.snapshots(), layout.latest(), layout.reports())
                    .optHeldOutTopic(layout.heldOut())
                    // The challenger (B follows the newest version) scores half of the requests in shadow (its
                    // answers discarded): its agreement with A shows on the dashboard while A answers.
                    .optExperiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, true)
                    .optShadowShare(0.5)
                    .optMonitorWindows(monitorReference, monitorWindow)
                    .build());
            err.printf("Serving: scoring API and dashboard on %s/%n", serving.url());
        }
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        Properties clientProps = new Properties();
        clientProps.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        producer = new InputProducer(clientProps, AvroRegistryCodec.forClass(LabeledText.class, registry),
                layout.input(), AvroRegistryCodec.forClass(DeadLetter.class, registry), layout.deadLetters());
        String jobName = jobConf.get(JobOptions.JOB_NAME);
        InProcessMetrics.forget(jobName);

        CompletableFuture<Long> production;
        if (bounded) {
            err.printf("Producing %d events to %s...%n", records.size(), layout.input());
            long sent = producer.send(records, 0);
            production = CompletableFuture.completedFuture(sent);
            err.printf("Produced %d events in %.1f s; starting the job (bounded)%n", sent, seconds(t0));
            ProduceCommand.printFailures(err, producer.failures(), layout.deadLetters());
        } else {
            production = CompletableFuture.supplyAsync(() -> producer.send(records, pacing.rate));
        }

        long jobStart = System.nanoTime();
        job = LocalFlink.start(LocalFlink.clusterConfig(parallelism, base.resolve("flink")), jobConf);
        JobSampler sampler = JobSampler.start(jobName);
        if (!bounded) {
            err.printf("Job started; producing %d events at %.0f/s%n", records.size(), pacing.rate);
        }
        boolean draining = false;
        CompletableFuture<?> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            try {
                result.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // progress tick
            } catch (Exception e) {
                break;
            }
            if (!quiet) {
                err.println(progressLine(jobName, producer.sent(), records.size(), seconds(jobStart)));
            }
            if (!bounded && !draining && production.isDone()
                    && InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_IN) >= production.get()) {
                draining = true;
                err.println("Every event was read: draining the job (final batches and snapshots)...");
                job.stopWithSavepoint(true, null, SavepointFormatType.CANONICAL);
            }
        }
        result.get();
        double jobSeconds = seconds(jobStart);
        sampler.close();

        RunSummary summary = RunSummary.read(clientProps, registry, layout, Duration.ofMinutes(2));
        Map<String, Object> json = summaryJson(summary, records.size(), producer.sent(), producer.failures(),
                jobSeconds, seconds(t0), sampler.steadyRate());
        if (serving != null) {
            json.put("serving_url", serving.url());
            json.put("serving_version", servedVersion(records, json.get("last_version")));
            List<Map<String, Object>> gate = gateDecisions(serving);
            json.put("newest_passed_version", gate.stream().filter(d -> "passed".equals(d.get("outcome")))
                    .map(d -> d.get("candidateVersion")).reduce((a, b) -> b).orElse(null));
            json.put("gate_decisions", gate);
            err.printf("Serving (%s/) answered with snapshot version %s%n", serving.url(), json.get("serving_version"));
            err.printf("Serving %d + %d replayed texts to the input monitor...%n", monitorReference, monitorWindow);
            json.put("monitor", DemoTraffic.exercise(serving, jobConfiguration(true).get(JobOptions.DEFAULT_MODEL_ID),
                    records.stream().map(RawInput::event).filter(e -> e != null && e.getText() != null)
                            .map(e -> e.getText().toString()).filter(t -> !t.isBlank()).toList(),
                    monitorReference, monitorWindow));
        }
        printSummary(out, summary, json);
        if (report != null) {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), json);
            err.printf("Report written to %s%n", report);
        }
        if (keepRunning) {
            err.printf("Kafka %s and schema registry %s keep running; Ctrl-C to stop.%n", stack.bootstrapServers(),
                    stack.registryUrl());
            new CompletableFuture<Void>().get();
        }
        return 0;
    }

    /**
     * Asks the serving process to score one input text: the demo's proof that snapshots travel from the job through
     * Kafka into serving. Waits up to 60 s for a first answer, then up to 10 s more for the last published version
     * (serving's robustness gate may keep an earlier, more robust version on arm A). Returns the version that answered
     * last, or -1 if none did.
     */
    private long servedVersion(List<RawInput> records, Object lastVersion) throws InterruptedException {
        String model = jobConfiguration(true).get(JobOptions.DEFAULT_MODEL_ID);
        String text = records.stream().map(RawInput::event).filter(e -> e != null && e.getText() != null)
                .map(e -> e.getText()).filter(t -> !t.isBlank()).findFirst().orElse("hello");
        ObjectMapper mapper = new ObjectMapper();
        HttpClient client = HttpClient.newHttpClient();
        long answered = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean firstAnswer = true;
        while (System.nanoTime() < deadline) {
            try {
                String body = mapper.writeValueAsString(Map.of("text", text));
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create(serving.url() + "/v1/models/" + model + "/predict"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    answered = mapper.readTree(response.body()).path("version").asLong(-1);
                    if (lastVersion instanceof Number && answered == ((Number) lastVersion).longValue()) {
                        return answered;
                    }
                    if (firstAnswer) {
                        firstAnswer = false;
                        deadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                    }
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        return answered;
    }

    private List<RawInput> loadRecords(PrintStream err) throws IOException {
        long now = System.currentTimeMillis();
        Path file = input != null ? input : BundledCorpus.locate();
        InputOrder o = order != null ? InputOrder.parse(order) : input != null ? InputOrder.ORIGINAL : InputOrder.TIME;
        // Replayed events are stamped with the replay time, as if they were arriving now.
        List<RawInput> all = o.apply(InputFiles.read(file, false, now), pacing.shuffleSeed);
        List<RawInput> chosen = events > 0 && events < all.size() ? all.subList(0, (int) events) : all;
        err.printf("Input: %s, %d of %d records, order %s%n", file, chosen.size(), all.size(),
                o.name().toLowerCase(Locale.ROOT));
        return chosen;
    }

    private Configuration jobConfiguration(boolean bounded) {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        c.set(JobOptions.REGISTRY_URL, stack.registryUrl());
        c.set(JobOptions.JOB_NAME, "bulwark-demo");
        c.set(JobOptions.BOUNDED, bounded);
        c.set(JobOptions.STARTING_OFFSETS, JobOptions.StartingOffsets.EARLIEST);
        c.set(JobOptions.SNAPSHOT_EVERY_BATCHES, snapshotEvery);
        c.set(JobOptions.SNAPSHOT_INTERVAL, Duration.ZERO);
        c.set(JobOptions.BATCH_TIMEOUT, bounded ? Duration.ZERO : Duration.ofSeconds(2));
        c.setString(JobOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "bulwark-demo-" + Long.toHexString(System.nanoTime()));
        // The dashboard's attack panel: the realistic suite on 8 held-out spam mails per snapshot (-D overrides).
        c.set(JobOptions.EVAL_ATTACK_TEXTS, 8);
        // Serving's canary sets: a tenth of the events held out gives the paired gate enough examples to decide.
        c.set(JobOptions.HELD_OUT_FRACTION, 0.1);
        learner.applyTo(spec, c);
        return c;
    }

    private String progressLine(String jobName, long produced, long total, double seconds) {
        long trained = InProcessMetrics.sum(jobName, BulwarkMetrics.EXAMPLES_TRAINED);
        long heldOut = InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_HELD_OUT);
        long snapshots = InProcessMetrics.sum(jobName, BulwarkMetrics.SNAPSHOTS);
        long dead = InProcessMetrics.sum(jobName, BulwarkMetrics.DEAD_LETTERS);
        long in = InProcessMetrics.sum(jobName, BulwarkMetrics.EVENTS_IN);
        double accuracy = InProcessMetrics.max(jobName, BulwarkMetrics.PREQUENTIAL_ACCURACY).orElse(Double.NaN);
        return String.format(Locale.ROOT, "[%6.1fs] produced %d/%d | read %d | trained %d | held out %d | "
                        + "snapshots %d | dead letters %d | prequential acc %s | %.0f ev/s", seconds, produced, total,
                in, trained, heldOut, snapshots, dead, pct(accuracy), seconds > 0 ? trained / seconds : 0.0);
    }

    /**
     * The report. Accounting: every input record was acknowledged by the broker ({@code events_produced}) or is a
     * send failure; every produced one was trained, held out, skipped as unlabeled or dead-lettered by the job.
     * Send failures are dead letters too when their dead letter could be written, so
     * {@code input_records = events_trained + events_held_out + events_unlabeled + dead_letters + send failures
     * not dead-lettered}, and {@code unaccounted} is the difference (0 when everything adds up).
     */
    static Map<String, Object> summaryJson(RunSummary s, long inputRecords, long produced,
                                           List<SendFailure> failures, double jobSeconds, double totalSeconds,
                                           double steadyRate) {
        Map<String, Object> m = new LinkedHashMap<>();
        long failuresDeadLettered = failures.stream().filter(SendFailure::deadLettered).count();
        m.put("input_records", inputRecords);
        m.put("events_produced", produced);
        m.put("send_failures", failures.size());
        m.put("send_failures_by_reason", failures.stream().collect(java.util.stream.Collectors.groupingBy(
                f -> f.reason().name(), java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        m.put("send_failures_dead_lettered", failuresDeadLettered);
        m.put("send_failure_records", failures.stream().limit(20).map(SendFailure::toMap).toList());
        m.put("events_trained", s.eventsTrained());
        m.put("events_held_out", s.eventsHeldOut());
        m.put("events_unlabeled", s.eventsUnlabeled());
        m.put("dead_letters", s.deadLetterCount());
        m.put("dead_letters_by_reason", s.deadLettersByReason());
        m.put("unaccounted", inputRecords - s.eventsTrained() - s.eventsHeldOut() - s.eventsUnlabeled()
                - s.deadLetterCount() - (failures.size() - failuresDeadLettered));
        m.put("snapshots_published", s.snapshots().size());
        m.put("last_version", s.lastVersion());
        m.put("models", s.lastSnapshots().keySet());
        m.put("prequential_accuracy", finite(s.prequentialAccuracy()));
        m.put("clean_accuracy", finite(s.cleanAccuracy()));
        m.put("robust_accuracy", finite(s.robustAccuracy()));
        m.put("attack", s.lastReports().values().stream().map(r -> r.getAttack()).findFirst().orElse(null));
        m.put("job_seconds", round(jobSeconds));
        m.put("total_seconds", round(totalSeconds));
        // From the first to the last trained batch (as the bare learner's examples/s); job start-up excluded.
        m.put("events_per_second", round(Double.isNaN(steadyRate) ? 0.0 : steadyRate));
        m.put("end_to_end_events_per_second", round(jobSeconds > 0 ? s.eventsTrained() / jobSeconds : 0.0));
        return m;
    }

    private static void printSummary(PrintStream out, RunSummary s, Map<String, Object> json) {
        out.println();
        out.println("Bulwark demo summary");
        out.println("--------------------------------------------------------------");
        row(out, "input records", json.get("input_records"));
        row(out, "events produced", json.get("events_produced"));
        row(out, "not produced (send failures)", json.get("send_failures") + (json.get("send_failures_by_reason")
                .toString().equals("{}") ? "" : " " + json.get("send_failures_by_reason") + ", "
                + json.get("send_failures_dead_lettered") + " dead-lettered"));
        row(out, "events trained", json.get("events_trained"));
        row(out, "events held out (evaluation only)", json.get("events_held_out"));
        row(out, "unlabeled, not trained", json.get("events_unlabeled"));
        row(out, "dead letters", json.get("dead_letters") + (s.deadLettersByReason().isEmpty() ? ""
                : " " + s.deadLettersByReason()));
        row(out, "unaccounted (0 = every record counted)", json.get("unaccounted"));
        row(out, "snapshots published", json.get("snapshots_published"));
        row(out, "last version", json.get("last_version"));
        row(out, "prequential accuracy (test-then-train)", pct(s.prequentialAccuracy()));
        row(out, "held-out clean accuracy", pct(s.cleanAccuracy()));
        row(out, "held-out robust accuracy (" + json.get("attack") + ")", pct(s.robustAccuracy()));
        row(out, "job time", json.get("job_seconds") + " s");
        row(out, "throughput (first to last trained batch)", json.get("events_per_second") + " events/s");
        row(out, "throughput (trained events / job time)", json.get("end_to_end_events_per_second") + " events/s");
        if (json.containsKey("serving_version")) {
            row(out, "serving version (arm A)", json.get("serving_version"));
            row(out, "newest version that passed the gate", json.get("newest_passed_version"));
            List<?> gate = (List<?>) json.get("gate_decisions");
            row(out, "gate decisions", gate.stream().map(d -> (Map<?, ?>) d)
                    .map(d -> "v" + d.get("candidateVersion") + " " + d.get("outcome")).toList());
            Map<?, ?> monitor = (Map<?, ?>) json.get("monitor");
            row(out, "serving monitor", monitor == null ? "n/a" : monitor.get("message"));
        }
        out.println("--------------------------------------------------------------");
        for (RunSummary.SnapshotHeader h : s.snapshots()) {
            Optional<RobustnessReport> r = s.report(h.modelId(), h.version());
            out.printf(Locale.ROOT, "  %-10s v%-3d examples %6d  prequential %s  clean %s  robust %s%n",
                    h.modelId(), h.version(), h.examplesSeen(), pct(h.metrics().getOrDefault("prequentialAccuracy",
                            Double.NaN)), pct(r.map(RobustnessReport::getCleanAccuracy).orElse(Double.NaN)),
                    pct(r.map(RobustnessReport::getRobustAccuracy).orElse(Double.NaN)));
        }
    }

    private static void row(PrintStream out, String name, Object value) {
        out.printf(Locale.ROOT, "%-42s %s%n", name, value);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }

    private static double round(double v) {
        return Math.round(v * 10_000.0) / 10_000.0;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Stops the producer and the job, closes the broker and registry, deletes temporary data; idempotent. */
    private void shutdown() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        InputProducer p = producer;
        if (p != null) {
            p.stop();
        }
        JobClient j = job;
        if (j != null) {
            try {
                if (!j.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    j.cancel().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // The job and its MiniCluster are gone already.
            }
        }
        if (p != null) {
            p.close();
        }
        ServingServer server = serving;
        if (server != null) {
            server.close();
        }
        EmbeddedStack s = stack;
        if (s != null) {
            s.close();
        }
        Path t = tempDir;
        if (t != null) {
            deleteRecursively(t);
        }
    }

    /**
     * Every model's robustness-gate decisions as serving logged them, oldest first: candidate and current version,
     * outcome, the two robust accuracies and the reason with the statistics behind it.
     */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> gateDecisions(ServingServer server) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var slot : server.registry().slots()) {
            Map<String, Object> experiment = (Map<String, Object>) slot.toView().get("experiment");
            List<Map<String, Object>> log = new ArrayList<>((List<Map<String, Object>>) experiment.get("gateLog"));
            Collections.reverse(log);
            for (Map<String, Object> d : log) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model", slot.modelId());
                row.putAll(d);
                out.add(row);
            }
        }
        return out;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temporary directory.
        }
    }
}
