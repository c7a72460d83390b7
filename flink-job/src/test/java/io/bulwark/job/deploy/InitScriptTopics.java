package io.bulwark.job.deploy;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code deploy/bin/bulwark-init.sh topics} against a broker without Kafka's command-line tools: stand-ins
 * for {@code kafka-topics.sh} and {@code kafka-configs.sh} record each call, and the recorded calls are then
 * carried out with the Admin client, so the broker judges the topic names, partitions and configs the script
 * asks for.
 */
final class InitScriptTopics {

    /** One topic the script creates: name, partitions, replication factor, configs. */
    record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    }

    private InitScriptTopics() {
    }

    /**
     * Runs the script's {@code topics} command with {@code env} (plus the bootstrap servers) and applies its calls.
     *
     * @return the topics the script asked for, in order
     */
    static List<TopicSpec> createTopics(Admin admin, String bootstrapServers, Map<String, String> env, Path workDir)
            throws Exception {
        Path bin = Files.createDirectories(workDir.resolve("kafka-tools"));
        Path calls = workDir.resolve("kafka-tool-calls.txt");
        for (String tool : List.of("kafka-topics.sh", "kafka-configs.sh")) {
            Path shim = bin.resolve(tool);
            Files.writeString(shim, "#!/usr/bin/env bash\n"
                    + "{ printf '%s' \"$(basename \"$0\")\"; for a in \"$@\"; do printf '\\037%s' \"$a\"; done; "
                    + "printf '\\n'; } >> \"$BULWARK_TOOL_CALLS\"\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.deleteIfExists(calls);

        List<String> command = List.of("bash", DeployFiles.file("deploy/bin/bulwark-init.sh").toString(), "topics");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("BULWARK_TOOL_CALLS", calls.toString());
        pb.environment().put("BULWARK_BOOTSTRAP_SERVERS", bootstrapServers);
        pb.environment().put("BULWARK_WAIT_SECONDS", "10");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("bulwark-init.sh topics failed: " + out);
        }

        List<TopicSpec> topics = new ArrayList<>();
        for (String line : Files.readAllLines(calls, StandardCharsets.UTF_8)) {
            List<String> words = List.of(line.split("\u001f", -1));
            String tool = words.get(0);
            List<String> args = words.subList(1, words.size());
            if (tool.equals("kafka-topics.sh") && args.contains("--create")) {
                checkBootstrap(args, bootstrapServers);
                Map<String, String> configs = new LinkedHashMap<>();
                for (int i = 0; i < args.size(); i++) {
                    if (args.get(i).equals("--config")) {
                        String kv = args.get(i + 1);
                        configs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                }
                TopicSpec spec = new TopicSpec(value(args, "--topic"), Integer.parseInt(value(args, "--partitions")),
                        Short.parseShort(value(args, "--replication-factor")), configs);
                topics.add(spec);
                try {
                    admin.createTopics(List.of(new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor())
                            .configs(configs))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            } else if (tool.equals("kafka-configs.sh") && args.contains("--alter")) {
                checkBootstrap(args, bootstrapServers);
                List<AlterConfigOp> ops = new ArrayList<>();
                for (String kv : value(args, "--add-config").split(",")) {
                    ops.add(new AlterConfigOp(new ConfigEntry(kv.substring(0, kv.indexOf('=')),
                            kv.substring(kv.indexOf('=') + 1)), AlterConfigOp.OpType.SET));
                }
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, value(args, "--entity-name"));
                admin.incrementalAlterConfigs(Map.of(topic, ops)).all().get(30, TimeUnit.SECONDS);
            }
        }
        return topics;
    }

    private static void checkBootstrap(List<String> args, String bootstrapServers) {
        if (!bootstrapServers.equals(value(args, "--bootstrap-server"))) {
            throw new AssertionError("Kafka tool called without --bootstrap-server " + bootstrapServers + ": " + args);
        }
    }

    private static String value(List<String> args, String flag) {
        int i = args.indexOf(flag);
        if (i < 0 || i + 1 >= args.size()) {
            throw new AssertionError("Kafka tool called without " + flag + ": " + args);
        }
        return args.get(i + 1);
    }
}
