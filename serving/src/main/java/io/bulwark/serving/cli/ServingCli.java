package io.bulwark.serving.cli;

import io.bulwark.serving.config.ServingConfig;
import io.bulwark.kafka.Topics;
import io.bulwark.kafka.KafkaClientConfig;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ServingServer;
import io.bulwark.serving.bench.ServingBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line of the serving process: {@code serve} runs the server, {@code bench} measures its latency. */
@Command(name = "bulwark-serving", mixinStandardHelpOptions = true,
        description = "Serves Bulwark model snapshots over HTTP with A/B testing, metrics and a dashboard.",
        subcommands = {ServingCli.Serve.class, ServingBenchmark.Command.class})
public final class ServingCli {

    private ServingCli() {}

    /**
     * Runs the command line; arguments that do not start with a subcommand are the options of {@code serve}
     * (so {@code ./bulwark serve --port 8080} and {@code ServingCli serve --port 8080} do the same).
     */
    public static void main(String[] args) {
        String[] effective = args;
        if (args.length == 0 || !(args[0].equals("serve") || args[0].equals("bench"))) {
            effective = new String[args.length + 1];
            effective[0] = "serve";
            System.arraycopy(args, 0, effective, 1, args.length);
        }
        int code = new CommandLine(new ServingCli()).execute(effective);
        if (code != 0 || !"serve".equals(effective[0]) || Arrays.asList(effective).contains("--help")
                || Arrays.asList(effective).contains("-h")) {
            System.exit(code);
        }
    }

    /** {@code serve}: runs until interrupted. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Consume snapshots and reports from Kafka and serve them over HTTP.")
    public static final class Serve implements Callable<Integer> {
        @Option(names = "--host", defaultValue = "0.0.0.0", description = "Bind address (default: ${DEFAULT-VALUE}).")
        String host;
        @Option(names = "--port", defaultValue = "8080", description = "HTTP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
        int port;
        @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers; without it, only --snapshot-file is served.")
        String bootstrapServers;
        @Option(names = "--registry-url", description = "Schema registry URL (required with --bootstrap-servers).")
        String registryUrl;
        @Option(names = "--kafka-property", description = "Kafka consumer property key=value, e.g. security.protocol=SASL_SSL (repeatable).")
        Map<String, String> kafkaProperties = new LinkedHashMap<>();
        @Option(names = "--kafka-config", description = "Java properties file with Kafka client security settings (security.protocol, sasl.*, ssl.*).")
        Path kafkaConfig;
        @Option(names = "--registry-property", description = "Schema registry client property key=value, e.g. basic.auth.user.info=u:p (repeatable).")
        Map<String, String> registryProperties = new LinkedHashMap<>();
        @Option(names = "--snapshot-topic", defaultValue = Topics.SNAPSHOTS, description = "Topic of all snapshot versions (default: ${DEFAULT-VALUE}).")
        String snapshotTopic;
        @Option(names = "--latest-topic", defaultValue = Topics.SNAPSHOTS_LATEST, description = "Compacted topic of the latest snapshot per model (default: ${DEFAULT-VALUE}).")
        String latestTopic;
        @Option(names = "--report-topic", defaultValue = Topics.REPORTS, description = "Topic of robustness reports (default: ${DEFAULT-VALUE}).")
        String reportTopic;
        @Option(names = "--heldout-topic", defaultValue = Topics.HELDOUT, description = "Topic of held-out events, each model's canary set (default: ${DEFAULT-VALUE}).")
        String heldOutTopic;
        @Option(names = "--heldout-replay", defaultValue = "100000", description = "Most recent offsets of each held-out partition read at start; 0 = all (default: ${DEFAULT-VALUE}).")
        long heldOutReplay;
        @Option(names = "--snapshot-start", defaultValue = "LATEST_PER_MODEL", description = "Where intake starts: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        ServingConfig.SnapshotStart snapshotStart;
        @Option(names = "--snapshot-file", description = "Avro container file of ModelSnapshot records to serve (repeatable).")
        List<Path> snapshotFiles = new ArrayList<>();
        @Option(names = "--device", defaultValue = "cpu", description = "Device for models: cpu, gpu, gpu:N (default: ${DEFAULT-VALUE}).")
        String device;
        @Option(names = "--max-versions", defaultValue = "4", description = "Versions kept per model, LRU; versions the arms use are kept (default: ${DEFAULT-VALUE}).")
        int maxVersions;
        @Option(names = "--max-reports", defaultValue = "1000", description = "Robustness reports kept per model (default: ${DEFAULT-VALUE}).")
        int maxReports;
        @Option(names = "--loader-threads", defaultValue = "1", description = "Threads loading snapshots (default: ${DEFAULT-VALUE}).")
        int loaderThreads;
        @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body (default: ${DEFAULT-VALUE}).")
        long maxBodyBytes;
        @Option(names = "--max-batch", defaultValue = "256", description = "Most texts per request (default: ${DEFAULT-VALUE}).")
        int maxBatch;
        @Option(names = "--max-text-chars", defaultValue = "10000", description = "Longest text in characters (default: ${DEFAULT-VALUE}).")
        int maxTextChars;
        @Option(names = "--admin-token", defaultValue = "${env:BULWARK_ADMIN_TOKEN}", description = "Bearer token of the admin API (default: env BULWARK_ADMIN_TOKEN; none disables the admin API).")
        String adminToken;
        @Option(names = "--gate-margin", defaultValue = "0.05", description = "Robust-accuracy drop that blocks automatic promotion (default: ${DEFAULT-VALUE}).")
        double gateMargin;
        @Option(names = "--gate-require-report", defaultValue = "true", arity = "1", description = "A candidate waits for its robustness report before automatic promotion (default: ${DEFAULT-VALUE}).")
        boolean gateRequireReport;
        @Option(names = "--gate-min-examples", defaultValue = "50", description = "Held-out examples behind a robust accuracy before the gate counts it: a champion on fewer never blocks, a candidate on fewer waits (default: ${DEFAULT-VALUE}).")
        int gateMinExamples;
        @Option(names = "--gate-confidence", defaultValue = "0.95", description = "One-sided confidence of the canary gate's non-inferiority bound and McNemar test (default: ${DEFAULT-VALUE}).")
        double gateConfidence;
        @Option(names = "--canary-capacity", defaultValue = "1000", description = "Held-out examples kept per model in its canary set (default: ${DEFAULT-VALUE}).")
        int canaryCapacity;
        @Option(names = "--canary-seed", defaultValue = "1", description = "Seed of the canary set's attacked texts (default: ${DEFAULT-VALUE}).")
        long canarySeed;
        @Option(names = "--rollback-threshold", defaultValue = "0", description = "Canary accuracy below which the champion fails a check; 0 = no automatic rollback (default: ${DEFAULT-VALUE}).")
        double rollbackThreshold;
        @Option(names = "--rollback-checks", defaultValue = "3", description = "Consecutive failed checks before the champion is rolled back to the last good version (default: ${DEFAULT-VALUE}).")
        int rollbackChecks;
        @Option(names = "--arm-a", defaultValue = "latest", description = "Arm A: latest (auto-promote through the gate) or a version (default: ${DEFAULT-VALUE}).")
        String armA;
        @Option(names = "--arm-b", defaultValue = "latest", description = "Arm B: latest, none or a version (default: ${DEFAULT-VALUE}).")
        String armB;
        @Option(names = "--weight-a", defaultValue = "100", description = "Traffic weight of A (default: ${DEFAULT-VALUE}).")
        double weightA;
        @Option(names = "--weight-b", defaultValue = "0", description = "Traffic weight of B (default: ${DEFAULT-VALUE}).")
        double weightB;
        @Option(names = "--shadow", description = "Shadow mode: A answers, B scores a share of the requests too and its answers are discarded.")
        boolean shadow;
        @Option(names = "--shadow-share", defaultValue = "1", description = "Share of requests mirrored to B in shadow mode, chosen by a hash of the request id (default: ${DEFAULT-VALUE}).")
        double shadowShare;
        @Option(names = "--monitor-reference", defaultValue = "500", description = "Served texts in the input monitor's reference window (default: ${DEFAULT-VALUE}).")
        int monitorReference;
        @Option(names = "--monitor-window", defaultValue = "500", description = "Served texts in the input monitor's current, sliding window (default: ${DEFAULT-VALUE}).")
        int monitorWindow;
        @Option(names = "--inference-batch", defaultValue = "64", description = "Most texts one forward pass merges from requests waiting for the model; 0 scores on the request threads without an inference thread (default: ${DEFAULT-VALUE}).")
        int inferenceBatch;
        @Option(names = "--inference-queue", defaultValue = "1024", description = "Requests that may wait per loaded version; more are answered 503 with Retry-After (default: ${DEFAULT-VALUE}).")
        int inferenceQueue;
        @Option(names = "--request-timeout-ms", defaultValue = "10000", description = "A scoring request not answered within this many milliseconds is answered 503 with Retry-After (default: ${DEFAULT-VALUE}).")
        long requestTimeoutMillis;
        @Option(names = "--retry-after-seconds", defaultValue = "1", description = "Retry-After sent with every 503 (default: ${DEFAULT-VALUE}).")
        int retryAfterSeconds;
        @Option(names = "--feedback-capacity", defaultValue = "100000", description = "Request ids remembered for feedback (default: ${DEFAULT-VALUE}).")
        int feedbackCapacity;

        ServingConfig toConfig() {
            ServingConfig.Builder b = ServingConfig.builder()
                    .optHost(host)
                    .optPort(port)
                    .optTopics(snapshotTopic, latestTopic, reportTopic)
                    .optSnapshotStart(snapshotStart)
                    .optDevice(device)
                    .optMaxVersionsPerModel(maxVersions)
                    .optMaxReportsPerModel(maxReports)
                    .optLoaderThreads(loaderThreads)
                    .optLimits(maxBodyBytes, maxBatch, maxTextChars)
                    .optGate(gateMargin, gateRequireReport)
                    .optGateMinExamples(gateMinExamples)
                    .optGateConfidence(gateConfidence)
                    .optHeldOutTopic(heldOutTopic)
                    .optHeldOutReplay(heldOutReplay)
                    .optCanary(canaryCapacity, canarySeed)
                    .optRollback(rollbackThreshold, rollbackChecks)
                    .optExperiment(ArmSpec.parse(armA), ArmSpec.parse(armB), weightA, weightB, shadow)
                    .optShadowShare(shadowShare)
                    .optMonitorWindows(monitorReference, monitorWindow)
                    .optFeedbackCapacity(feedbackCapacity)
                    .optInferenceBatchTexts(inferenceBatch)
                    .optOverload(inferenceQueue, requestTimeoutMillis, retryAfterSeconds);
            if (adminToken != null && !adminToken.isBlank()) {
                b.optAdminToken(adminToken);
            }
            if (bootstrapServers != null) {
                b.optKafka(bootstrapServers, registryUrl);
            }
            if (kafkaConfig != null) {
                KafkaClientConfig.loadProperties(kafkaConfig).forEach(b::optKafkaProperty);
            }
            kafkaProperties.forEach(b::optKafkaProperty);
            registryProperties.forEach(b::optRegistryProperty);
            snapshotFiles.forEach(b::optSnapshotFile);
            return b.build();
        }

        @Override
        public Integer call() throws Exception {
            ServingServer server = ServingServer.start(toConfig());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "bulwark-serving-shutdown"));
            System.out.println("Bulwark serving on " + server.url() + "/ (dashboard), API under /v1, metrics at /metrics");
            stopped.await();
            return 0;
        }
    }
}
