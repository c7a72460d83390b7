package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.cli.common.LearnerFlags;
import io.bulwark.cli.common.RuntimeOptions;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.continual.benchmark.ContinualBenchmark.RunResult;
import io.bulwark.model.continual.benchmark.ContinualStream;
import io.bulwark.model.continual.benchmark.ContinualStudy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code continual}: the continual-learning benchmark ({@link ContinualStudy}) as a table and a JSON report. */
@Command(name = "continual", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = CliVersion.class,
        description = {
            "Runs the learner, the learner without its wide side and replay, the learner with the Bregman/EMA term"
                    + " and naive Bayes test-then-train on three streams: the bundled corpus shuffled, in its"
                    + " original order (ham era, then spam era), and a synthetic 4-topic stream with"
                    + " class-incremental eras and label shift. Prints prequential accuracy, the cold start (first"
                    + " 200 events), held-out accuracy per class after the run and forgetting per class."},
        footer = {"", "Examples:",
            "  bulwark continual --seeds 1,2,3",
            "  bulwark continual --orders topics --set continual.mixtureRate=4"})
public final class ContinualCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seeds", split = ",", paramLabel = "N", defaultValue = "1,2,3",
            description = "Seeds: stream shuffle, synthetic stream, learner (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--orders", split = ",", paramLabel = "ORDER", defaultValue = "shuffled,original,topics",
            description = "Streams: shuffled, original, topics (default: ${DEFAULT-VALUE}).")
    List<String> orders;

    @Option(names = "--variants", split = ",", paramLabel = "NAME",
            defaultValue = "learner,no-wide-replay,bregman,naive-bayes",
            description = "Variants: the learner as configured, without wide side and replay, with the Bregman/EMA"
                    + " term toggled, naive Bayes (default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--held-out", paramLabel = "N", defaultValue = "150",
            description = "Held-out texts per class (default: ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "At most N events per stream, 0 = all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "target/continual/continual.json",
            description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path output;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LearnerConfig base;
        try {
            base = LearnerFlags.config(spec, LearnerConfig.builder());
            for (String o : orders) {
                if (!ContinualStream.ORDERS.contains(o)) {
                    throw new IllegalArgumentException("Unknown order '" + o + "'; expected " + ContinualStream.ORDERS);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        runtime.applyThreads();
        ContinualStudy study;
        try {
            study = new ContinualStudy(base, seeds, orders, heldOut, limit, variants, line -> {
                err.println(line);
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, Map<String, List<RunResult>>> results = study.run();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("created", Instant.now().toString());
        report.put("seeds", seeds);
        report.put("heldOutPerClass", heldOut);
        report.put("limit", limit);
        report.put("config", base.toMap());
        Map<String, Object> byOrder = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, List<RunResult>>> o : results.entrySet()) {
            List<String> labels = List.copyOf(o.getValue().values().iterator().next().get(0).heldOut().keySet());
            out.println();
            out.println("Stream " + o.getKey() + " (" + seeds.size() + " seeds, mean ± std; held-out and forgetting"
                    + " per class " + labels + ")");
            TextTable table = new TextTable("variant", "prequential", "cold start", "held-out per class",
                    "worst class", "forgetting per class", "mean forgetting");
            Map<String, Object> variants = new LinkedHashMap<>();
            for (Map.Entry<String, List<RunResult>> v : o.getValue().entrySet()) {
                List<RunResult> runs = v.getValue();
                table.row(v.getKey(), cell(runs, RunResult::prequential), cell(runs, RunResult::coldStart),
                        perClass(runs, labels, true), cell(runs, RunResult::worstClass),
                        perClass(runs, labels, false), cell(runs, RunResult::meanForgetting));
                variants.put(v.getKey(), ContinualStudy.summary(runs, labels));
            }
            out.print(table.render());
            byOrder.put(o.getKey(), variants);
        }
        report.put("orders", byOrder);
        JsonReports.write(output, report);
        out.println();
        out.println("Report: " + output);
        out.flush();
        return 0;
    }

    private static String cell(List<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> f) {
        double[] m = ContinualStudy.meanStd(runs, f);
        return String.format(Locale.ROOT, "%.3f ± %.3f", m[0], m[1]);
    }

    private static String perClass(List<RunResult> runs, List<String> labels, boolean heldOut) {
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            double[] m = ContinualStudy.meanStd(runs, r -> (heldOut ? r.heldOut() : r.forgetting()).get(l));
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", m[0]));
        }
        return sb.toString();
    }
}
