package io.bulwark.cli.job;

import io.bulwark.kafka.Topics;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.avro.SourceOffset;
import io.bulwark.model.snapshot.SnapshotFiles;
import io.bulwark.cli.local.TopicReader;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RecordDecodeException;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Lists, inspects and exports the model snapshots of the snapshot topic. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lists the snapshots in the snapshot topic (version, created-at, examples, metrics, provenance).",
        subcommands = {SnapshotsCommand.ListCommand.class, SnapshotsCommand.Inspect.class,
            SnapshotsCommand.Export.class})
public final class SnapshotsCommand implements Callable<Integer> {

    @Mixin
    Source source = new Source();

    @Option(names = "--reports-topic", defaultValue = Topics.REPORTS,
            description = "Topic of the robustness reports, for the CLEAN and ROBUST columns (default "
                    + "${DEFAULT-VALUE}).")
    String reportsTopic;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return print(source, reportsTopic, false, spec.commandLine().getOut());
    }

    /** Prints the snapshots of {@code source} as a table, or as JSON lines. */
    static int print(Source source, String reportsTopic, boolean json, PrintWriter out) {
        List<ModelSnapshot> all = source.read(System.err);
        Map<String, RobustnessReport> reports = source.reports(reportsTopic, System.err);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (ModelSnapshot s : all) {
                try {
                    out.println(mapper.writeValueAsString(toJson(s, reports)));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            out.flush();
            return 0;
        }
        if (all.isEmpty()) {
            out.println("No snapshots in " + source.topic);
            out.flush();
            return 0;
        }
        out.printf("%-12s %7s %7s  %-24s %9s %8s %8s %8s %8s  %-8s %s%n", "MODEL", "VERSION", "PARENT", "CREATED",
                "EXAMPLES", "BATCHES", "PREQ", "CLEAN", "ROBUST", "STRATEGY", "OFFSETS");
        for (ModelSnapshot s : all) {
            out.printf(Locale.ROOT, "%-12s %7d %7s  %-24s %9d %8d %8s %8s %8s  %-8s %s%n", s.getModelId(),
                    s.getVersion(), s.getParentVersion() == null ? "-" : s.getParentVersion().toString(),
                    s.getCreatedAt(), s.getExamplesSeen(), s.getBatchesSeen(),
                    DemoCommand.pct(metric(s, "prequentialAccuracy")),
                    DemoCommand.pct(accuracy(s, reports, true)), DemoCommand.pct(accuracy(s, reports, false)),
                    s.getTrainingConfig().getOrDefault("strategy.type", "?"), offsets(s));
        }
        out.flush();
        return 0;
    }

    /** One snapshot as a JSON object: identity, provenance (source offsets, parent, seed) and accuracies. */
    static Map<String, Object> toJson(ModelSnapshot s, Map<String, RobustnessReport> reports) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", s.getModelId());
        m.put("version", s.getVersion());
        m.put("parent", s.getParentVersion());
        m.put("created_at", s.getCreatedAt().toString());
        m.put("examples", s.getExamplesSeen());
        m.put("batches", s.getBatchesSeen());
        m.put("seed", s.getSeed());
        List<Map<String, Object>> offsets = new ArrayList<>();
        for (SourceOffset o : s.getSourceOffsets()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("topic", o.getTopic());
            one.put("partition", o.getPartition());
            one.put("offset", o.getOffset());
            offsets.add(one);
        }
        m.put("offsets", offsets);
        m.put("prequential_accuracy", finite(metric(s, "prequentialAccuracy")));
        m.put("clean_accuracy", finite(accuracy(s, reports, true)));
        m.put("robust_accuracy", finite(accuracy(s, reports, false)));
        m.put("strategy", s.getTrainingConfig().get("strategy.type"));
        m.put("payload_checksum", s.getPayload().getChecksum());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Lists the snapshots, as a table or one JSON object per line. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the snapshots a read_committed consumer sees (records of aborted transactions "
                    + "never show): a table, or with --json one object per version with model, version, parent, "
                    + "examples, batches, offsets (the input each version reflects) and accuracies.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        Source source = new Source();

        @Option(names = "--reports-topic", defaultValue = Topics.REPORTS,
                description = "Topic of the robustness reports (default ${DEFAULT-VALUE}).")
        String reportsTopic;

        @Option(names = "--json", description = "One JSON object per snapshot and line, in topic order.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(source, reportsTopic, json, spec.commandLine().getOut());
        }
    }

    /**
     * The clean or robust accuracy of a version: from its report (snapshots are published before their evaluation),
     * else from the snapshot's metrics (snapshots written before that carry them).
     */
    static double accuracy(ModelSnapshot s, Map<String, RobustnessReport> reports, boolean clean) {
        RobustnessReport r = reports.get(s.getModelId() + "@" + s.getVersion());
        if (r != null) {
            return clean ? r.getCleanAccuracy() : r.getRobustAccuracy();
        }
        return metric(s, clean ? "cleanAccuracy" : "robustAccuracy");
    }

    static double metric(ModelSnapshot s, String name) {
        Double v = s.getMetrics().get(name);
        return v == null ? Double.NaN : v;
    }

    static String offsets(ModelSnapshot s) {
        return s.getSourceOffsets().stream().map(o -> o.getTopic() + "-" + o.getPartition() + "@" + o.getOffset())
                .collect(Collectors.joining(","));
    }

    /** Where the snapshots are and which to pick. */
    static final class Source {
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Option(names = "--topic", defaultValue = Topics.SNAPSHOTS,
                description = "Snapshot topic (default ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--model", description = "Only snapshots of this model id.")
        String model;

        List<ModelSnapshot> read(PrintStream err) {
            List<ModelSnapshot> out = new ArrayList<>();
            try (AvroRegistryCodec<ModelSnapshot> codec = AvroRegistryCodec.forClass(ModelSnapshot.class,
                    connection.registry())) {
                TopicReader.forEach(connection.kafkaClient().consumerProperties(), topic, Duration.ofMinutes(2),
                        r -> {
                            try {
                                ModelSnapshot s = codec.decode(r.topic(), r.value());
                                if (model == null || model.equals(s.getModelId())) {
                                    out.add(s);
                                }
                            } catch (RecordDecodeException e) {
                                err.printf("%s-%d@%d: not a snapshot (%s)%n", r.topic(), r.partition(), r.offset(),
                                        e.getMessage());
                            }
                        });
            }
            return out;
        }

        /**
         * The reports of {@code reportsTopic} by "model@version" (undecodable records are skipped; none when the
         * topic does not exist).
         */
        Map<String, RobustnessReport> reports(String reportsTopic, PrintStream err) {
            Map<String, RobustnessReport> out = new HashMap<>();
            try (AvroRegistryCodec<RobustnessReport> codec = AvroRegistryCodec.forClass(RobustnessReport.class,
                    connection.registry())) {
                TopicReader.forEach(connection.kafkaClient().consumerProperties(), reportsTopic,
                        Duration.ofMinutes(2), r -> {
                            try {
                                RobustnessReport report = codec.decode(r.topic(), r.value());
                                out.put(report.getModelId() + "@" + report.getVersion(), report);
                            } catch (RecordDecodeException e) {
                                // not a report: the listing falls back to the snapshot's metrics
                            }
                        });
            } catch (IllegalStateException e) {
                err.println("No reports (" + e.getMessage() + "): CLEAN and ROBUST from the snapshots' metrics");
            }
            return out;
        }

        ModelSnapshot pick(long version) {
            List<ModelSnapshot> matches = read(System.err).stream().filter(s -> s.getVersion() == version)
                    .collect(Collectors.toList());
            if (matches.isEmpty()) {
                throw new IllegalArgumentException("No snapshot with version " + version
                        + (model == null ? "" : " of model '" + model + "'") + " in " + topic);
            }
            if (matches.size() > 1) {
                throw new IllegalArgumentException("Version " + version + " exists for several models "
                        + matches.stream().map(ModelSnapshot::getModelId).collect(Collectors.toList())
                        + ": choose one with --model");
            }
            return matches.get(0);
        }
    }

    /** Prints one snapshot's provenance and metrics. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Prints one snapshot: provenance (config, seed, offsets, parent), labels, metrics, payload.")
    static final class Inspect implements Callable<Integer> {
        @Mixin
        Source source = new Source();

        @Option(names = "--version", required = true, description = "Snapshot version.")
        long version;

        @Override
        public Integer call() {
            ModelSnapshot s = source.pick(version);
            PrintStream out = System.out;
            out.printf("model           %s%n", s.getModelId());
            out.printf("version         %d (parent %s)%n", s.getVersion(), s.getParentVersion());
            out.printf("created at      %s%n", s.getCreatedAt());
            out.printf("examples seen   %d in %d batches%n", s.getExamplesSeen(), s.getBatchesSeen());
            out.printf("seed            %d%n", s.getSeed());
            out.printf("labels          %s%n", s.getLabels());
            out.println("source offsets  (next offset to read; everything before is reflected in this model)");
            for (SourceOffset o : s.getSourceOffsets()) {
                out.printf("  %s-%d  %d%n", o.getTopic(), o.getPartition(), o.getOffset());
            }
            out.printf("student payload format %d, %s, %d bytes%n", s.getPayload().getFormatVersion(),
                    s.getPayload().getChecksum(), s.getPayload().getBytes().remaining());
            if (s.getTeacherPayload() != null) {
                out.printf("teacher payload format %d, %s, %d bytes%n", s.getTeacherPayload().getFormatVersion(),
                        s.getTeacherPayload().getChecksum(), s.getTeacherPayload().getBytes().remaining());
            }
            print(out, "metrics", new TreeMap<>(s.getMetrics()));
            print(out, "encoder", new TreeMap<>(s.getEncoderConfig()));
            print(out, "training config", new TreeMap<>(s.getTrainingConfig()));
            return 0;
        }

        private static void print(PrintStream out, String title, Map<String, ?> m) {
            out.println(title);
            m.forEach((k, v) -> out.printf(Locale.ROOT, "  %-28s %s%n", k, v));
        }
    }

    /** Writes one snapshot to a file that the model module loads. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes one snapshot to FILE (an Avro container file holding the ModelSnapshot record; "
                    + "load it with SnapshotFiles.read + Snapshots.fromAvro) and checks that it loads.")
    static final class Export implements Callable<Integer> {
        @Mixin
        Source source = new Source();

        @Option(names = "--version", required = true, description = "Snapshot version.")
        long version;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
        Path out;

        @Option(names = "--no-verify", description = "Skip loading the written file into a learner.")
        boolean noVerify;

        @Override
        public Integer call() throws Exception {
            ModelSnapshot s = source.pick(version);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SnapshotFiles.write(out, s);
            String check = "not verified";
            if (!noVerify) {
                try (Learner learner = Snapshots.fromAvro(SnapshotFiles.read(out), "cpu")) {
                    check = "loads as a learner with labels " + learner.labels();
                }
            }
            System.out.printf("Wrote %s (%d bytes): model %s v%d, %s%n", out, Files.size(out), s.getModelId(),
                    s.getVersion(), check);
            return 0;
        }
    }
}
