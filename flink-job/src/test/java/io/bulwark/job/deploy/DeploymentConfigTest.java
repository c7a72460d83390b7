package io.bulwark.job.deploy;

import io.bulwark.job.BulwarkJob;
import io.bulwark.job.JobOptions;
import io.bulwark.model.LearnerConfig;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.bulwark.job.deploy.DeployFiles.list;
import static io.bulwark.job.deploy.DeployFiles.map;
import static io.bulwark.job.deploy.DeployFiles.withDefaults;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the deployment files for what {@code docker-compose config} cannot see: GPU reservations and the GPU
 * plugin on the GPU TaskManagers only, the CPU profile, pinned images matching the versions the code is built
 * against, no secrets, a Flink configuration Flink 2.2 understands, Prometheus and Grafana wired to the ports and
 * datasource the rest of the files use, and environment variables that map onto real job and serving options.
 */
class DeploymentConfigTest {

    private static final String GPU_PLUGIN_JAR =
            "flink-external-resource-gpu-" + EnvironmentInformation.getVersion() + ".jar";
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|JAAS|USER_INFO|CREDENTIAL|PRIVATE_KEY|API_KEY).*");

    private final Map<String, Object> compose = DeployFiles.yaml("docker-compose.yml");
    private final Map<String, Object> services = map(compose, "services");

    // ---- docker-compose.yml -------------------------------------------------------------------------------

    @Test
    void composeDefinesTheWholeStack() {
        assertThat(services).containsKeys("kafka", "schema-registry", "jobmanager", "taskmanager-cpu",
                "taskmanager-gpu", "bulwark-init", "serving", "prometheus", "grafana");
    }

    @Test
    void gpuTaskManagersReserveNvidiaGpusAndEnableTheGpuPlugin() {
        Map<String, Object> tm = map(services, "taskmanager-gpu");
        assertThat(list(tm, "profiles")).containsExactly("gpu");
        assertThat(tm.get("command")).isEqualTo("taskmanager");

        List<Object> devices = list(map(map(map(tm, "deploy"), "resources"), "reservations"), "devices");
        assertThat(devices).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> device = (Map<String, Object>) devices.get(0);
        assertThat(device.get("driver")).isEqualTo("nvidia");
        assertThat(list(device, "capabilities")).contains("gpu");
        String count = withDefaults(String.valueOf(device.get("count")));
        assertThat(Integer.parseInt(count)).isPositive();

        Map<String, Object> env = map(tm, "environment");
        assertThat(env.get("ENABLE_BUILT_IN_PLUGINS")).isEqualTo(GPU_PLUGIN_JAR);
        assertThat(env.get("JOB_MANAGER_RPC_ADDRESS")).isEqualTo("jobmanager");
        // Flink asks for as many GPUs as Docker reserves.
        assertThat(withDefaults(String.valueOf(env.get("FLINK_PROPERTIES"))))
                .isEqualTo("external-resource.gpu.amount: " + count);
        assertThat(map(tm, "build").get("target")).isEqualTo("flink-gpu");
    }

    @Test
    void cpuProfileRunsTaskManagersWithoutGpus() {
        Map<String, Object> tm = map(services, "taskmanager-cpu");
        assertThat(list(tm, "profiles")).containsExactly("cpu");
        assertThat(tm.get("command")).isEqualTo("taskmanager");
        assertThat(tm).doesNotContainKey("deploy");
        Map<String, Object> env = map(tm, "environment");
        assertThat(env).doesNotContainKey("ENABLE_BUILT_IN_PLUGINS");
        assertThat(env.get("FLINK_PROPERTIES")).isEqualTo("external-resources: " + ExternalResourceOptions.NONE);
        assertThat(env.get("JOB_MANAGER_RPC_ADDRESS")).isEqualTo("jobmanager");
        assertThat(map(tm, "build").get("target")).isEqualTo("flink");

        // Only the TaskManagers are profiled: everything else starts with either profile.
        services.forEach((name, s) -> {
            if (!name.startsWith("taskmanager-")) {
                assertThat(map(services, name)).as(name).doesNotContainKey("profiles");
            }
        });
        // No service reserves a GPU except the GPU TaskManagers.
        services.forEach((name, s) -> {
            if (!name.equals("taskmanager-gpu")) {
                assertThat(String.valueOf(s)).as(name).doesNotContain("nvidia");
            }
        });
    }

    @Test
    void imagesArePinnedAndMatchTheVersionsTheCodeIsBuiltAgainst() {
        Map<String, String> images = new LinkedHashMap<>();
        services.forEach((name, s) -> images.put(name, withDefaults(String.valueOf(map(services, name).get("image")))));
        images.forEach((name, image) -> {
            assertThat(image).as("image of %s", name).matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+");
            assertThat(image).as("image of %s", name).doesNotEndWith(":latest");
        });
        // The broker runs the Kafka release whose clients the job and serving use (kafka-clients).
        assertThat(images.get("kafka")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(images.get("schema-registry")).startsWith("confluentinc/cp-schema-registry:");
        // Images built here carry a build section; the others are pulled.
        services.forEach((name, s) -> {
            boolean local = images.get(name).startsWith("bulwark/");
            assertThat(map(services, name).containsKey("build")).as("%s builds its image", name).isEqualTo(local);
        });

        String dockerfile = DeployFiles.read("deploy/docker/flink.Dockerfile");
        assertThat(dockerArg(dockerfile, "FLINK_IMAGE"))
                .isEqualTo("flink:" + EnvironmentInformation.getVersion() + "-java17");
        assertThat(dockerArg(dockerfile, "KAFKA_IMAGE")).isEqualTo(images.get("kafka"));
        assertThat(dockerArg(dockerfile, "FLINK_VERSION")).isEqualTo(EnvironmentInformation.getVersion());
        // DJL in the images' lib/ is the DJL the job is compiled against.
        assertThat(dockerArg(dockerfile, "DJL_VERSION")).isEqualTo(ai.djl.engine.Engine.getDjlVersion());
        assertThat(dockerArg(dockerfile, "PYTORCH_VERSION")).isEqualTo(pytorchEngineVersion());
        for (String file : List.of("deploy/docker/flink.Dockerfile", "deploy/docker/serving.Dockerfile")) {
            for (String from : fromImages(DeployFiles.read(file))) {
                assertThat(from).as("FROM in %s", file).contains(":").doesNotEndWith(":latest");
            }
        }
    }

    @Test
    void composeHoldsNoSecrets() {
        services.forEach((name, s) -> {
            Object env = map(services, name).get("environment");
            if (env instanceof Map) {
                ((Map<?, ?>) env).forEach((k, v) -> {
                    String key = String.valueOf(k);
                    if (SECRET_NAME.matcher(key).matches()) {
                        // Only references to files (Docker secrets) may carry a secret's name.
                        assertThat(key).as("%s of %s", key, name).endsWith("__FILE");
                        assertThat(String.valueOf(v)).startsWith("/run/secrets/");
                    }
                });
            }
        });
        // Credentials reach the containers through the env file or Docker secrets, never through this file.
        assertThat(map(map(compose, "secrets"), "grafana_admin_password").get("file").toString())
                .startsWith("${BULWARK_GRAFANA_ADMIN_PASSWORD_FILE:-");
        for (String svc : List.of("bulwark-init", "serving")) {
            assertThat(list(map(services, svc), "env_file"))
                    .containsExactly("${BULWARK_ENV_FILE:-deploy/bulwark.env.example}");
        }
        // The committed example leaves every secret empty; real env files and secrets are ignored by git.
        DeployFiles.envFile("deploy/bulwark.env.example").forEach((k, v) -> {
            if (SECRET_NAME.matcher(k).matches()) {
                assertThat(v).as(k).isEmpty();
            }
        });
        assertThat(DeployFiles.read("deploy/.gitignore")).contains("bulwark.env\n");
        assertThat(DeployFiles.read("deploy/secrets/.gitignore")).contains("*\n", "!*.example");
        assertThat(Files.exists(DeployFiles.repoRoot().resolve(".env"))).as("a committed .env").isFalse();
    }

    @Test
    void hostPortsAreBoundToLoopback() {
        services.forEach((name, s) -> {
            Object ports = map(services, name).get("ports");
            if (ports instanceof List) {
                for (Object p : (List<?>) ports) {
                    assertThat(String.valueOf(p)).as("port of %s", name).startsWith("127.0.0.1:");
                }
            }
        });
    }

    // ---- Flink configuration ------------------------------------------------------------------------------

    @Test
    void flinkConfigurationEnablesCheckpointsReportersAndTheGpuResource() {
        Configuration conf = GlobalConfiguration.loadConfiguration(
                DeployFiles.repoRoot().resolve("deploy/flink").toString());

        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:///flink-data/");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file:///flink-data/");
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        // The sinks' transactions (sink.transaction-timeout, 15 min) outlive a checkpoint interval.
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isLessThan(JobOptions.TRANSACTION_TIMEOUT.defaultValue());

        assertThat(conf.get(MetricOptions.REPORTERS_LIST)).isEqualTo("prom");
        assertThat(conf.toMap()).containsEntry("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");

        assertThat(conf.get(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST)).containsExactly("gpu");
        assertThat(conf.toMap())
                .containsEntry("external-resource.gpu.driver-factory.class",
                        "org.apache.flink.externalresource.gpu.GPUDriverFactory")
                .containsEntry("external-resource.gpu.amount", "1")
                .containsEntry("external-resource.gpu.param.discovery-script.path",
                        "/opt/flink/bin/bulwark-gpu-discovery.sh");
        // Flink's GPU driver appends the args to the command line, as the word "null" when they are unset.
        assertThat(conf.toMap().get("external-resource.gpu.param.discovery-script.args")).isNotBlank();
        // The job reads the GPUs of the resource its device.gpu-resource option names.
        assertThat(JobOptions.GPU_RESOURCE.defaultValue()).isEqualTo("gpu");

        // DJL (and its natives) load from lib/ once per JVM, not with each job's classloader.
        assertThat(conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL)).contains("ai.djl.");

        MemorySize process = conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY);
        assertThat(process.getBytes()).isGreaterThan(conf.get(TaskManagerOptions.MANAGED_MEMORY_SIZE).getBytes()
                + conf.get(TaskManagerOptions.TASK_OFF_HEAP_MEMORY).getBytes()
                + conf.get(TaskManagerOptions.JVM_OVERHEAD_MAX).getBytes());
    }

    @Test
    void everyFlinkConfigurationKeyIsOneFlinkKnows() throws Exception {
        Set<String> known = knownFlinkKeys();
        Set<String> unknown = new TreeSet<>();
        for (String key : flatKeys(DeployFiles.yaml("deploy/flink/config.yaml"), "")) {
            boolean templated = key.startsWith("metrics.reporter.prom.")
                    || key.matches("external-resource\\.gpu\\.(amount|driver-factory\\.class|param\\..+)");
            if (!templated && !known.contains(key)) {
                unknown.add(key);
            }
        }
        assertThat(unknown).as("keys Flink %s does not define", EnvironmentInformation.getVersion()).isEmpty();
    }

    @Test
    void theImageCopiesTheFilesTheConfigurationNames() {
        String dockerfile = DeployFiles.read("deploy/docker/flink.Dockerfile");
        assertThat(dockerfile).contains("deploy/flink/config.yaml /opt/flink/conf/config.yaml");
        Configuration conf = GlobalConfiguration.loadConfiguration(
                DeployFiles.repoRoot().resolve("deploy/flink").toString());
        String script = conf.toMap().get("external-resource.gpu.param.discovery-script.path");
        assertThat(dockerfile).contains("deploy/flink/bulwark-gpu-discovery.sh " + script);
        assertThat(Files.isExecutable(DeployFiles.file("deploy/flink/bulwark-gpu-discovery.sh"))).isTrue();
        // The image keeps the GPU driver where ENABLE_BUILT_IN_PLUGINS looks for it (opt/).
        assertThat(dockerfile).contains("opt/${jar}").contains("flink-external-resource-gpu-${FLINK_VERSION}.jar");
    }

    @Test
    void imagesCopyTheArtifactsTheBuildProduces() {
        String version = pomValue(DeployFiles.read("pom.xml"), "version");
        String jobPom = DeployFiles.read("flink-job/pom.xml");
        String classifier = jobPom.contains("maven-shade-plugin") ? pomValue(jobPom, "shadedClassifierName") : null;
        String jobJar = "flink-job/target/bulwark-flink-job-" + version + (classifier == null ? "" : "-" + classifier)
                + ".jar";
        String dockerfile = DeployFiles.read("deploy/docker/flink.Dockerfile");
        if (classifier != null) {
            assertThat(dockerArg(dockerfile, "JOB_JAR")).as("the shaded job jar").isEqualTo(jobJar);
        } else {
            assertThat(dockerArg(dockerfile, "JOB_JAR")).startsWith("flink-job/target/bulwark-flink-job-" + version);
        }
        assertThat(DeployFiles.read("deploy/docker/flink.Dockerfile.dockerignore"))
                .contains("!flink-job/target/bulwark-flink-job-*.jar", "!deploy/flink/", "!deploy/bin/bulwark-init.sh");
        String serving = DeployFiles.read("deploy/docker/serving.Dockerfile");
        assertThat(dockerArg(serving, "SERVING_JAR")).isEqualTo("serving/target/bulwark-serving-" + version + ".jar");
        // serving's build lays its runtime classpath out in target/lib (maven-dependency-plugin).
        assertThat(DeployFiles.read("serving/pom.xml")).contains("${project.build.directory}/lib");
        assertThat(serving).contains("COPY --chmod=0644 serving/target/lib/ /opt/bulwark/serving/lib/");
        assertThat(DeployFiles.read("deploy/bin/bulwark-serving.sh")).contains("io.bulwark.serving.cli.ServingCli serve");
    }

    // ---- Prometheus and Grafana ---------------------------------------------------------------------------

    @Test
    void prometheusScrapesFlinkReportersAndServing() {
        Map<String, Object> prom = DeployFiles.yaml("deploy/prometheus/prometheus.yml");
        Map<String, Map<String, Object>> jobs = new HashMap<>();
        for (Object j : list(prom, "scrape_configs")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> job = (Map<String, Object>) j;
            jobs.put(String.valueOf(job.get("job_name")), job);
        }
        assertThat(jobs).containsKeys("flink", "bulwark-serving");

        Configuration conf = GlobalConfiguration.loadConfiguration(
                DeployFiles.repoRoot().resolve("deploy/flink").toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> dns = (Map<String, Object>) list(jobs.get("flink"), "dns_sd_configs").get(0);
        assertThat(String.valueOf(dns.get("port"))).isEqualTo(conf.toMap().get("metrics.reporter.prom.port"));
        Set<String> flinkServices = services.keySet().stream()
                .filter(s -> s.equals("jobmanager") || s.startsWith("taskmanager-")).collect(Collectors.toSet());
        assertThat(list(dns, "names")).containsExactlyInAnyOrderElementsOf(flinkServices);

        Map<String, Object> serving = jobs.get("bulwark-serving");
        assertThat(serving.get("metrics_path")).isEqualTo("/metrics");
        @SuppressWarnings("unchecked")
        Map<String, Object> statics = (Map<String, Object>) list(serving, "static_configs").get(0);
        assertThat(list(statics, "targets")).containsExactly("serving:8080");
        assertThat(list(map(services, "serving"), "ports")).contains("127.0.0.1:8080:8080");
        assertThat(servingOptionDefault("--port")).isEqualTo("8080");
        assertThat(servingOptionDefault("--host")).isEqualTo("0.0.0.0");
    }

    @Test
    void grafanaDashboardUsesTheProvisionedDatasourceAndMountedPaths() {
        Map<String, Object> datasources = DeployFiles.yaml("deploy/grafana/provisioning/datasources/prometheus.yml");
        @SuppressWarnings("unchecked")
        Map<String, Object> ds = (Map<String, Object>) list(datasources, "datasources").get(0);
        assertThat(ds.get("type")).isEqualTo("prometheus");
        assertThat(ds.get("url")).isEqualTo("http://prometheus:9090");
        String uid = String.valueOf(ds.get("uid"));

        Map<String, Object> providers = DeployFiles.yaml("deploy/grafana/provisioning/dashboards/bulwark.yml");
        @SuppressWarnings("unchecked")
        Map<String, Object> provider = (Map<String, Object>) list(providers, "providers").get(0);
        String path = String.valueOf(map(provider, "options").get("path"));
        List<Object> volumes = list(map(services, "grafana"), "volumes");
        assertThat(volumes).contains("./deploy/grafana/dashboards:" + path + ":ro",
                "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro");
        assertThat(map(map(services, "grafana"), "environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(path + "/bulwark.json");

        Map<String, Object> dashboard = DeployFiles.yaml("deploy/grafana/dashboards/bulwark.json");
        assertThat(dashboard.get("uid")).isEqualTo("bulwark-overview");
        Set<Object> ids = new HashSet<>();
        int queries = 0;
        for (Object p : list(dashboard, "panels")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> panel = (Map<String, Object>) p;
            assertThat(ids.add(panel.get("id"))).as("unique panel id %s", panel.get("id")).isTrue();
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            assertThat(map(panel, "datasource").get("uid")).as("datasource of '%s'", panel.get("title")).isEqualTo(uid);
            List<Object> targets = list(panel, "targets");
            assertThat(targets).as("queries of '%s'", panel.get("title")).isNotEmpty();
            for (Object t : targets) {
                @SuppressWarnings("unchecked")
                Map<String, Object> target = (Map<String, Object>) t;
                assertThat(map(target, "datasource").get("uid")).isEqualTo(uid);
                assertThat(DeployFiles.metricNames(String.valueOf(target.get("expr"))))
                        .as("metrics of '%s'", panel.get("title")).isNotEmpty();
                queries++;
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(20);
    }

    @Test
    void dashboardAndAlertsQueryTheJobsMetricGroupsAndServing() {
        Set<String> names = DeployFiles.queriedMetricNames();
        // The names the robustness panels depend on, in the Prometheus reporter's naming.
        String op = "flink_taskmanager_job_task_operator_bulwark_";
        assertThat(names).contains(op + "examplesPerSecond", op + "model_prequentialAccuracy",
                op + "model_robustAccuracy", op + "model_cleanAccuracy", op + "model_teacherDriftKl",
                op + "model_deltaNorm", op + "model_modelVersion", op + "model_lagMs", op + "skippedBatches",
                op + "deadLetters", "bulwark_serving_report_robust_accuracy");
        for (String name : names) {
            if (name.startsWith(op)) {
                String metric = name.substring(op.length()).replaceFirst("^(model|reason)_", "");
                assertThat(metricConstants()).as("%s names a metric of BulwarkMetrics", name).contains(metric);
            }
        }
    }

    // ---- environment mapping ------------------------------------------------------------------------------

    @Test
    void theInitScriptKnowsEveryJobOptionAndNoOther() {
        List<String> scriptKeys = DeployFiles.bashArray("deploy/bin/bulwark-init.sh", "JOB_OPTION_KEYS");
        assertThat(scriptKeys).containsExactlyInAnyOrderElementsOf(jobOptionKeys());
    }

    @Test
    void theInitScriptKnowsEveryLearnerKeyTheJobDoesNotSetItself() {
        List<String> scriptKeys = DeployFiles.bashArray("deploy/bin/bulwark-init.sh", "LEARNER_KEYS");
        Set<String> learnerKeys = new TreeSet<>(LearnerConfig.builder().build().toMap().keySet());
        // labels / labels.max / batch.size are job options applied on top of the learner configuration.
        Set<String> setByJob = Set.of("labels.fixed", "labels.max", "train.batchSize");
        assertThat(learnerKeys).containsAll(setByJob);
        Set<String> expected = new TreeSet<>(learnerKeys);
        expected.removeAll(setByJob);
        assertThat(scriptKeys).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void environmentVariablesBecomeValidJobArguments() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BULWARK_BOOTSTRAP_SERVERS", "kafka:9092");
        env.put("BULWARK_REGISTRY_URL", "http://schema-registry:8081");
        env.put("BULWARK_TOPIC_SNAPSHOTS_LATEST", "x.latest");
        env.put("BULWARK_REGISTRY_BASIC_AUTH_USER_INFO", "svc:pw");
        env.put("BULWARK_SINK_MAX_REQUEST_SIZE", "16m");
        env.put("BULWARK_LABELS", "ham;spam");
        env.put("BULWARK_BATCH_SIZE", "");
        env.put("BULWARK_LEARNER_STRATEGY_TYPE", "FREELB");
        env.put("BULWARK_LEARNER_ENCODER_MAXLENGTH", "48");
        env.put("BULWARK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("BULWARK_KAFKA_SASL_JAAS_CONFIG", "org.example.Login required username=\"u\" password=\"p w\";");
        env.put("BULWARK_KAFKA_ADMIN_CONFIG", "/etc/kafka/admin.properties");
        env.put("BULWARK_JOB_EXTRA_ARGS", "--snapshot.every-batches 7");

        Configuration conf = BulwarkJob.configurationFromArgs(
                run("deploy/bin/bulwark-init.sh", env, "print-args").toArray(new String[0]));
        JobOptions.validate(conf);
        assertThat(conf.get(JobOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(conf.get(JobOptions.LATEST_TOPIC)).isEqualTo("x.latest");
        assertThat(conf.get(JobOptions.REGISTRY_USER_INFO)).isEqualTo("svc:pw");
        assertThat(conf.get(JobOptions.MAX_REQUEST_SIZE)).isEqualTo(MemorySize.parse("16m"));
        assertThat(conf.get(JobOptions.LABELS)).containsExactly("ham", "spam");
        assertThat(conf.get(JobOptions.BATCH_SIZE)).as("empty variable keeps the default").isEqualTo(32);
        assertThat(conf.get(JobOptions.SNAPSHOT_EVERY_BATCHES)).isEqualTo(7);
        assertThat(JobOptions.kafkaClientProperties(conf))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", env.get("BULWARK_KAFKA_SASL_JAAS_CONFIG"))
                .doesNotContainKey("admin.config");
        LearnerConfig learner = BulwarkJob.learnerConfig(conf);
        assertThat(learner.toMap()).containsEntry("strategy.type", "FREELB").containsEntry("encoder.maxLength", "48");
    }

    @Test
    void theEnvExampleConfiguresAValidJobAndOnlyKnownVariables() throws Exception {
        Map<String, String> example = DeployFiles.envFile("deploy/bulwark.env.example");
        Configuration conf = BulwarkJob.configurationFromArgs(
                run("deploy/bin/bulwark-init.sh", example, "print-args").toArray(new String[0]));
        JobOptions.validate(conf);
        assertThat(conf.get(JobOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(conf.get(JobOptions.REGISTRY_URL)).isEqualTo("http://schema-registry:8081");
        BulwarkJob.learnerConfig(conf);
        assertThat(conf.get(JobOptions.MAX_REQUEST_SIZE).getBytes())
                .isLessThanOrEqualTo(Long.parseLong(example.get("BULWARK_TOPICS_MAX_MESSAGE_BYTES")));

        Set<String> known = new HashSet<>();
        jobOptionKeys().forEach(k -> known.add(envName(k)));
        DeployFiles.bashArray("deploy/bin/bulwark-init.sh", "LEARNER_KEYS")
                .forEach(k -> known.add(envName("learner." + k)));
        for (String script : List.of("deploy/bin/bulwark-init.sh", "deploy/bin/bulwark-serving.sh")) {
            Matcher m = Pattern.compile("\\bBULWARK_[A-Z0-9_]*[A-Z0-9]\\b").matcher(DeployFiles.read(script));
            while (m.find()) {
                known.add(m.group());
            }
        }
        for (String option : DeployFiles.bashArray("deploy/bin/bulwark-serving.sh", "SERVING_OPTIONS")) {
            known.add("BULWARK_SERVING_" + option.replace('-', '_').toUpperCase(Locale.ROOT));
        }
        for (String var : example.keySet()) {
            if (!var.startsWith("BULWARK_KAFKA_")) {
                assertThat(known).as("%s is read by a deployment script or maps to a job option", var).contains(var);
            }
        }
    }

    @Test
    void servingEnvironmentBecomesServeOptionsTheCliDefines() throws Exception {
        Set<String> cliOptions = servingCliOptions();
        for (String option : DeployFiles.bashArray("deploy/bin/bulwark-serving.sh", "SERVING_OPTIONS")) {
            assertThat(cliOptions).as("ServingCli serve option --%s", option).contains("--" + option);
        }
        Map<String, String> env = new LinkedHashMap<>(DeployFiles.envFile("deploy/bulwark.env.example"));
        env.put("BULWARK_SERVING_ARM_B", "none");
        env.put("BULWARK_SERVING_SHADOW", "true");
        env.put("BULWARK_REGISTRY_BASIC_AUTH_USER_INFO", "svc:pw");
        env.put("BULWARK_KAFKA_SASL_MECHANISM", "PLAIN");
        List<String> args = run("deploy/bin/bulwark-serving.sh", env, "print-args");
        for (String arg : args) {
            if (arg.startsWith("--")) {
                assertThat(cliOptions).as("ServingCli serve option %s", arg).contains(arg);
            }
        }
        assertThat(String.join(" ", args))
                .contains("--bootstrap-servers kafka:9092", "--registry-url http://schema-registry:8081",
                        "--snapshot-topic bulwark.snapshots", "--latest-topic bulwark.snapshots.latest",
                        "--report-topic bulwark.reports", "--arm-b none", "--shadow",
                        "--registry-property basic.auth.user.info=svc:pw",
                        "--kafka-property sasl.mechanism=PLAIN");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The keys of every ConfigOption constant of JobOptions. */
    static List<String> jobOptionKeys() {
        List<String> keys = new ArrayList<>();
        for (Field f : JobOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    keys.add(((ConfigOption<?>) f.get(null)).key());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        assertThat(keys).contains("bootstrap-servers", "registry.url");
        return keys;
    }

    /** The environment variable of a job option key, by the rule of deploy/bin/bulwark-init.sh. */
    static String envName(String key) {
        return "BULWARK_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Runs a deployment script with exactly {@code env} (plus PATH) and returns its output lines. */
    static List<String> run(String script, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(DeployFiles.file(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s %s failed: %s", script, List.of(args), err).isZero();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    private static String pytorchEngineVersion() {
        try (var in = ai.djl.engine.Engine.class.getClassLoader().getResourceAsStream("pytorch-engine.properties")) {
            assertThat(in).as("pytorch-engine.properties on the classpath").isNotNull();
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("pytorch_version");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String pomValue(String pom, String element) {
        Matcher m = Pattern.compile("<" + element + ">([^<]+)</" + element + ">").matcher(pom);
        assertThat(m.find()).as("<%s> in the pom", element).isTrue();
        return m.group(1).trim();
    }

    /** The default of a Dockerfile ARG, the same in every stage that declares it. */
    private static String dockerArg(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(dockerfile);
        Set<String> values = new LinkedHashSet<>();
        while (m.find()) {
            values.add(m.group(1));
        }
        assertThat(values).as("defaults of ARG %s in the Dockerfile", name).hasSize(1);
        return values.iterator().next();
    }

    private static List<String> fromImages(String dockerfile) {
        Map<String, String> args = new HashMap<>();
        Matcher a = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$").matcher(dockerfile);
        while (a.find()) {
            args.putIfAbsent(a.group(1), a.group(2));
        }
        Set<String> stages = new HashSet<>();
        Matcher s = Pattern.compile("(?m)^FROM \\S+ AS (\\S+)$").matcher(dockerfile);
        while (s.find()) {
            stages.add(s.group(1));
        }
        List<String> out = new ArrayList<>();
        Matcher f = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        while (f.find()) {
            String image = f.group(1);
            Matcher ref = Pattern.compile("\\$\\{(\\w+)}").matcher(image);
            image = ref.replaceAll(r -> Matcher.quoteReplacement(args.getOrDefault(r.group(1), "")));
            if (!stages.contains(image) && !image.startsWith("libtorch-")) {
                out.add(image);
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private static Set<String> flatKeys(Map<String, Object> yaml, String prefix) {
        Set<String> out = new LinkedHashSet<>();
        yaml.forEach((k, v) -> {
            String key = prefix.isEmpty() ? k : prefix + "." + k;
            if (v instanceof Map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) v;
                out.addAll(flatKeys(child, key));
            } else {
                out.add(key);
            }
        });
        return out;
    }

    /** Every key (and fallback key) of the ConfigOption constants of Flink's configuration classes. */
    private static Set<String> knownFlinkKeys() throws Exception {
        Set<String> keys = new HashSet<>();
        for (String cls : List.of("CoreOptions", "JobManagerOptions", "TaskManagerOptions", "RestOptions",
                "CheckpointingOptions", "StateBackendOptions", "RestartStrategyOptions", "MetricOptions",
                "ExternalResourceOptions", "PipelineOptions", "BlobServerOptions", "HighAvailabilityOptions",
                "SecurityOptions", "NettyShuffleEnvironmentOptions", "ClusterOptions", "DeploymentOptions",
                "StateRecoveryOptions", "WebOptions", "RpcOptions", "ExecutionOptions", "ResourceManagerOptions")) {
            Class<?> c = Class.forName("org.apache.flink.configuration." + cls);
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    keys.add(o.key());
                    for (FallbackKey fk : o.fallbackKeys()) {
                        keys.add(fk.getKey());
                    }
                }
            }
        }
        return keys;
    }

    /** The values of the String constants of BulwarkMetrics (metric names and group names). */
    private static Set<String> metricConstants() {
        Set<String> out = new HashSet<>();
        for (Field f : io.bulwark.job.metrics.BulwarkMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /** The option names of {@code ServingCli serve}, read from serving's source (flink-job does not depend on it). */
    private static Set<String> servingCliOptions() {
        String source = DeployFiles.read("serving/src/main/java/io/bulwark/serving/cli/ServingCli.java");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("@Option\\(names = \"(--[a-z0-9-]+)\"").matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        assertThat(out).as("options found in ServingCli.java").contains("--bootstrap-servers", "--port");
        return out;
    }

    private static String servingOptionDefault(String option) {
        String source = DeployFiles.read("serving/src/main/java/io/bulwark/serving/cli/ServingCli.java");
        Matcher m = Pattern.compile("@Option\\(names = \"" + Pattern.quote(option) + "\", defaultValue = \"([^\"]*)\"")
                .matcher(source);
        assertThat(m.find()).as("default of %s in ServingCli.java", option).isTrue();
        return m.group(1);
    }
}
