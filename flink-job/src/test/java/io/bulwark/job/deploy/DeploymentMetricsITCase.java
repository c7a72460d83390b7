package io.bulwark.job.deploy;

import io.bulwark.job.JobOptions;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment's monitoring against the code: topics created by deploy/bin/bulwark-init.sh, the job running on
 * a MiniCluster with the deployed Flink configuration (so Flink's Prometheus reporter serves its metrics), and the
 * serving process reading the job's snapshots; every metric the Grafana dashboard and the Prometheus alert rules
 * query must appear on the two metric endpoints.
 *
 * <p>Needs {@code org.apache.flink:flink-metrics-prometheus} and the serving module on the test classpath; without
 * them the metric check is skipped (and says so).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentMetricsITCase {

    private static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Duration WAIT = Duration.ofMinutes(3);

    private static EmbeddedDeployment stack;
    private static Map<String, String> env;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        stack = EmbeddedDeployment.start();
        env = DeployFiles.envFile("deploy/bulwark.env.example");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void initScriptCreatesTopicsTheBrokerAccepts() throws Exception {
        List<InitScriptTopics.TopicSpec> specs =
                InitScriptTopics.createTopics(stack.kafka.admin(), stack.kafka.bootstrapServers(), env, stack.workDir);

        String latest = env.get("BULWARK_TOPIC_SNAPSHOTS_LATEST");
        String versions = env.get("BULWARK_TOPIC_SNAPSHOTS");
        assertThat(specs).extracting(InitScriptTopics.TopicSpec::name).containsExactlyInAnyOrder(
                env.get("BULWARK_TOPIC_INPUT"), versions, latest, env.get("BULWARK_TOPIC_REPORTS"),
                env.get("BULWARK_TOPIC_HELDOUT"), env.get("BULWARK_TOPIC_DEAD_LETTERS"));
        assertThat(stack.kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .containsAll(specs.stream().map(InitScriptTopics.TopicSpec::name).collect(Collectors.toList()));

        Config latestConfig = topicConfig(latest);
        assertThat(latestConfig.get("cleanup.policy").value()).isEqualTo("compact");
        Config versionsConfig = topicConfig(versions);
        assertThat(versionsConfig.get("cleanup.policy").value()).isEqualTo("delete");
        long snapshotBytes = JobOptions.MAX_REQUEST_SIZE.defaultValue().getBytes();
        for (Config c : List.of(latestConfig, versionsConfig)) {
            // A snapshot as large as the job's producers may send fits the snapshot topics.
            assertThat(Long.parseLong(c.get("max.message.bytes").value())).isGreaterThanOrEqualTo(snapshotBytes);
        }
        assertThat(Long.parseLong(versionsConfig.get("retention.ms").value()))
                .isEqualTo(Long.parseLong(env.get("BULWARK_TOPICS_SNAPSHOT_RETENTION_MS")));
    }

    @Test
    @Order(2)
    void everyMetricOfTheDashboardAndTheAlertsIsExported() throws Exception {
        Assumptions.assumeTrue(classPresent(PROMETHEUS_REPORTER),
                "org.apache.flink:flink-metrics-prometheus is not on flink-job's test classpath");
        Assumptions.assumeTrue(ServingProcess.available(), "the serving module is not on flink-job's test classpath");
        Set<String> queried = DeployFiles.queriedMetricNames();
        Set<String> flinkNames = filter(queried, n -> n.startsWith("flink_"));
        Set<String> servingNames = filter(queried, n -> n.startsWith("bulwark_"));
        assertThat(flinkNames).isNotEmpty();
        assertThat(servingNames).isNotEmpty();

        String input = env.get("BULWARK_TOPIC_INPUT");
        if (!stack.kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains(input)) {
            InitScriptTopics.createTopics(stack.kafka.admin(), stack.kafka.bootstrapServers(), env, stack.workDir);
        }
        // Labeled events, and records the job dead-letters (not Avro; empty text).
        stack.produceEvents(input, 64, 2, 2);

        Map<String, String> options = stack.jobOptions(input, false);
        options.put(JobOptions.SNAPSHOTS_TOPIC.key(), env.get("BULWARK_TOPIC_SNAPSHOTS"));
        options.put(JobOptions.LATEST_TOPIC.key(), env.get("BULWARK_TOPIC_SNAPSHOTS_LATEST"));
        options.put(JobOptions.REPORTS_TOPIC.key(), env.get("BULWARK_TOPIC_REPORTS"));
        options.put(JobOptions.DEAD_LETTER_TOPIC.key(), env.get("BULWARK_TOPIC_DEAD_LETTERS"));
        JobID job = stack.submit(options);
        try (ServingProcess serving = ServingProcess.start(stack.kafka.bootstrapServers(), stack.registry.url())) {
            String flinkEndpoint = "http://127.0.0.1:" + stack.prometheusPort + "/metrics";
            Set<String> flinkExported = awaitExported(flinkEndpoint, flinkNames, job);

            awaitServingModel(serving);
            exerciseServing(serving);
            Set<String> servingExported = awaitExported(serving.url() + "/metrics", servingNames, job);

            assertThat(flinkExported).as("Flink's Prometheus reporter (%s)", flinkEndpoint).containsAll(flinkNames);
            assertThat(servingExported).as("serving's /metrics").containsAll(servingNames);
        } finally {
            stack.cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
        }
    }

    /** Polls an endpoint until it exports every expected name (or the wait ends); returns what it exports. */
    private static Set<String> awaitExported(String endpoint, Set<String> expected, JobID job) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> exported = Set.of();
        while (System.nanoTime() < deadline) {
            JobStatus status = stack.cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
            assertThat(status.isGloballyTerminalState()).as("job %s is %s", job, status).isFalse();
            exported = sampleNames(get(endpoint));
            if (exported.containsAll(expected)) {
                return exported;
            }
            Thread.sleep(500);
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(exported);
        throw new AssertionError("After " + WAIT + " " + endpoint + " still lacks " + missing);
    }

    /** Waits until serving has loaded a snapshot of the model the job trains. */
    private static void awaitServingModel(ServingProcess serving) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(
                    serving.url() + "/v1/models/" + EmbeddedDeployment.MODEL)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (models.statusCode() == 200 && get(serving.url() + "/healthz").contains("\"ready\":true")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Serving loaded no snapshot of '" + EmbeddedDeployment.MODEL + "' within " + WAIT
                + ": " + get(serving.url() + "/healthz"));
    }

    /** Scores a few texts, gives feedback on one and sends one bad request, as clients of serving do. */
    private static void exerciseServing(ServingProcess serving) throws Exception {
        String predict = serving.url() + "/v1/models/" + EmbeddedDeployment.MODEL + "/predict";
        String requestId = null;
        for (String text : List.of("lottery winner prize", "meeting report schedule", "casino bitcoin")) {
            HttpResponse<String> r = post(predict, "{\"text\": \"" + text + "\"}");
            assertThat(r.statusCode()).as("predict: %s", r.body()).isEqualTo(200);
            Matcher id = Pattern.compile("\"requestId\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
            if (requestId == null && id.find()) {
                requestId = id.group(1);
            }
        }
        assertThat(requestId).as("requestId in the predict answer").isNotNull();
        HttpResponse<String> feedback = post(serving.url() + "/v1/models/" + EmbeddedDeployment.MODEL + "/feedback",
                "{\"requestId\": \"" + requestId + "\", \"label\": \"spam\"}");
        assertThat(feedback.statusCode()).as("feedback: %s", feedback.body()).isEqualTo(200);
        assertThat(post(predict, "{\"texts\": 42}").statusCode()).isEqualTo(400);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return stack.kafka.admin().describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    private static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }

    private static HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> filter(Set<String> names, Predicate<String> p) {
        return names.stream().filter(p).collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
