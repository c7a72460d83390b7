package io.bulwark.study;

import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.data.StreamOrder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark study}: does FreeAT give PGD's robustness at a fraction of its cost on a text stream? Trains natural,
 * PGD-K, FreeAT-m and FreeLB-K (with and without Bregman/EMA) on the bundled SpamAssassin stream, shuffled and in its
 * drifting original order, measures prequential, clean, PGD and discrete-edit robustness, cost, drift and
 * catastrophic overfitting, and writes a markdown report with plots and the raw JSON.
 */
@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
        version = "bulwark study 0.1.0",
        description = {
            "Does FreeAT give PGD's robustness at a fraction of its cost on a text stream? Trains every variant on the"
                    + " bundled SpamAssassin stream (shuffled with fixed seeds, and in the original order that drifts"
                    + " from ham eras to spam eras), runs naive Bayes on the same streams, a drift scenario and a"
                    + " hyperparameter sweep, and writes docs/results.md, PNG plots and the raw JSON.",
            "Variants: natural, natural-xR (natural replaying each batch R times), pgd-K, freeat-M, freelb-K.",
            "The estimated run time per configuration is printed before anything is trained."},
        footer = {"", "Examples:",
            "  bulwark study --quick                                   # the smoke run, about a minute",
            "  bulwark study --estimate-only                           # the full study's estimated time",
            "  bulwark study --seeds 3 --limit 1500 --transformer-strategies natural,pgd-3,freeat-4",
            "  bulwark study --report-only study/target/study/results.json   # redraw the report from raw numbers"})
public final class StudyCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "The tiny smoke study: 1 seed, 200 events, pooled, natural and freeat-2,"
            + " no sweep; other options given explicitly still apply.")
    boolean quick;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds per configuration (default: 3).")
    Integer seeds;

    @Option(names = "--first-seed", paramLabel = "S", description = "First seed (default: 1).")
    Long firstSeed;

    @Option(names = "--limit", paramLabel = "N", description = "Training events per stream, 0 = all 5,446 not held out"
            + " (default: 0).")
    Integer limit;

    @Option(names = "--held-out", paramLabel = "N", description = "Mails held out for evaluation (default: 600).")
    Integer heldOut;

    @Option(names = "--encoders", split = ",", paramLabel = "pooled,transformer",
            description = "Encoders (default: pooled,transformer).")
    List<EncoderType> encoders;

    @Option(names = {"--strategies", "--variants"}, split = ",", paramLabel = "VARIANT",
            description = "Variants (default: " + "natural,natural-x4,natural-x8,pgd-3,pgd-7,freeat-2,freeat-4,freeat-8,"
                    + "freelb-3).")
    List<String> variants;

    @Option(names = "--transformer-strategies", split = ",", paramLabel = "VARIANT",
            description = "Variants for the transformer encoder (default: the same as --strategies).")
    List<String> transformerVariants;

    @Option(names = "--original-strategies", split = ",", paramLabel = "VARIANT",
            description = "Restrict the original order to these variants (default: the same as --strategies).")
    List<String> originalVariants;

    @Option(names = "--transformer-seeds", paramLabel = "N", description = "Seeds of the transformer runs, 0 = all"
            + " (default: 0).")
    Integer transformerSeeds;

    @Option(names = "--transformer-orders", split = ",", paramLabel = "shuffled,original",
            description = "Orders the transformer is trained on (default: every order).")
    List<String> transformerOrders;

    @Option(names = "--sweep-seeds", paramLabel = "N", description = "Seeds of the sweep, 0 = all (default: 0).")
    Integer sweepSeeds;

    @Option(names = "--ema", paramLabel = "both|on|off", description = "Run each variant with and/or without the"
            + " Bregman/EMA term (default: both); a variant spelled VARIANT+ema always runs with it.")
    String ema;

    @Option(names = "--orders", split = ",", paramLabel = "shuffled,original",
            description = "Stream orders (default: shuffled,original).")
    List<String> orders;

    @Option(names = "--max-length", paramLabel = "N", description = "Tokens per mail (default: 64).")
    Integer maxLength;

    @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: 32).")
    Integer batchSize;

    @Option(names = "--eps", paramLabel = "X", description = "Training radius, Linf (default: 0.05).")
    Double epsilon;

    @Option(names = "--alpha", paramLabel = "X", description = "Ascent step (default: the learner's, eps for FreeAT,"
            + " 2.5 eps/K otherwise).")
    Double alpha;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: the learner's, 0.008).")
    Double learningRate;

    @Option(names = "--mu", paramLabel = "X", description = "Bregman weight when EMA is on (default: 1.0).")
    Double mu;

    @Option(names = "--beta", paramLabel = "X", description = "EMA momentum (default: 0.99).")
    Double beta;

    @Option(names = "--warmup", paramLabel = "N", description = "Learning-rate warm-up in updates (default: the"
            + " learner's, 100).")
    Integer warmup;

    @Option(names = "--attack-eps", paramLabel = "X", description = "Radius of the PGD-10/PGD-20 evaluation attacks"
            + " (default: the training radius).")
    Double attackEpsilon;

    @Option(names = "--restarts", paramLabel = "N", description = "Random restarts of PGD-10 and PGD-20 (default: 2).")
    Integer restarts;

    @Option(names = "--discrete-examples", paramLabel = "N", description = "Held-out mails per class attacked with"
            + " discrete edits (default: 50).")
    Integer discreteExamples;

    @Option(names = "--discrete-budget", paramLabel = "N", description = "Edits per mail (default: 4).")
    Integer discreteBudget;

    @Option(names = "--top-words", paramLabel = "N", description = "Most important words the discrete attacks edit"
            + " (default: 8).")
    Integer topWords;

    @Option(names = "--probe-size", paramLabel = "N", description = "Probe mails for catastrophic overfitting"
            + " (default: 64).")
    Integer probeSize;

    @Option(names = "--probe-every", paramLabel = "N", description = "Batches between probes (default: 10).")
    Integer probeEvery;

    @Option(names = "--collapse-drop", paramLabel = "X", description = "Robust-accuracy drop below the running maximum"
            + " that counts as a collapse (default: 0.20).")
    Double collapseDrop;

    @Option(names = "--collapse-min-clean", paramLabel = "X", description = "Clean probe accuracy a model needs"
            + " before its robust accuracy can count as a peak (default: 0.80).")
    Double collapseMinClean;

    @Option(names = "--drift", negatable = true, description = "Run the drift scenario (default: on).")
    Boolean drift;

    @Option(names = "--drift-strategies", split = ",", paramLabel = "VARIANT",
            description = "Drift variants, each with and without EMA (default: natural,freeat-4).")
    List<String> driftVariants;

    @Option(names = "--drift-events", paramLabel = "N", description = "Training events per drift phase"
            + " (default: 1200).")
    Integer driftEvents;

    @Option(names = "--drift-held-out", paramLabel = "N", description = "Held-out mails per drift phase"
            + " (default: 200).")
    Integer driftHeldOut;

    @Option(names = "--sweep", negatable = true, description = "Run the one-at-a-time hyperparameter sweep around"
            + " --sweep-strategy (default: on).")
    Boolean sweep;

    @Option(names = "--sweep-strategy", paramLabel = "VARIANT", description = "The swept variant (default: freeat-4).")
    String sweepVariant;

    @Option(names = "--sweep-params", split = ",", paramLabel = "NAME",
            description = "Hyperparameters the sweep changes, among eps,alpha,lr,mu,beta,warmup,ramp (default: all).")
    List<String> sweepParams;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch intra-op threads, 0 = engine default"
            + " (default: 1, the fastest on a shared machine).")
    Integer threads;

    @Option(names = "--out", paramLabel = "FILE", description = "The markdown report (default: docs/results.md; plots go"
            + " to img/ beside it).")
    Path out;

    @Option(names = "--json-dir", paramLabel = "DIR", description = "Directory of results.json (default:"
            + " study/target/study).")
    Path jsonDir;

    @Option(names = "--estimate-only", description = "Calibrate, print the estimated run time, and stop.")
    boolean estimateOnly;

    @Option(names = "--drift-only", description = "Run only the drift scenario and put its results into the"
            + " existing results.json of --json-dir (the other runs are kept), then write the report.")
    boolean driftOnly;

    @Option(names = "--report-only", paramLabel = "JSON", description = "Write the report and plots from an existing"
            + " results.json without training.")
    Path reportOnly;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (used by tests). */
    public static int run(String... args) {
        System.setProperty("java.awt.headless", "true");
        return new CommandLine(new StudyCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter outw = spec.commandLine().getOut();
        StudySettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Path markdown = settings.markdown();
        Path images = markdown.toAbsolutePath().getParent().resolve("img");
        if (reportOnly != null) {
            Study.Results r = Study.read(reportOnly);
            finish(outw, r, markdown, images, settings.jsonDir());
            return 0;
        }
        applyThreads(settings.threads());
        Study study = new Study(settings);
        if (driftOnly) {
            Study.Results previous = Study.read(settings.jsonDir().resolve(Study.RESULTS_JSON));
            outw.println("Running the drift scenario alone into " + settings.jsonDir().resolve(Study.RESULTS_JSON));
            outw.flush();
            Study.Results r = study.rerunDrift(previous, line -> {
                outw.println(line);
                outw.flush();
            });
            finish(outw, r, markdown, images, settings.jsonDir());
            return 0;
        }
        Map<String, String> machine = MachineInfo.collect();
        outw.println("Bulwark study: " + settings.commandLine());
        machine.forEach((k, v) -> outw.println("  " + k + ": " + v));
        outw.printf(Locale.ROOT, "  %d training events per stream, %d held out, seeds %s, %d learner runs planned%n",
                study.trainEvents(), settings.heldOut(), settings.seedList(), study.plannedRuns());
        outw.println("Calibrating (a few natural batches, one PGD-10 evaluation and predictions per encoder) ...");
        outw.flush();
        Study.Calibration cal = study.calibrate();
        outw.println("  ms per training pass: " + cal.msPerPass() + ", ms per attack pass: " + cal.msPerAttackPass()
                + ", ms per predicted text: " + cal.msPerPredictedText());
        List<Study.Estimate> est = study.estimate(cal);
        outw.println("Estimated wall time per configuration (all seeds and orders):");
        double total = 0;
        for (Study.Estimate e : est) {
            outw.printf(Locale.ROOT, "  %-48s %3d runs x %7.0f s = %8.0f s%n", e.configuration(), e.runs(),
                    e.secondsPerRun(), e.seconds());
            total += e.seconds();
        }
        outw.printf(Locale.ROOT, "  TOTAL (estimate): %.0f s = %.1f min%n", total, total / 60);
        outw.flush();
        if (estimateOnly) {
            return 0;
        }
        Study.Results r = study.run(cal, est, machine, line -> {
            outw.println(line);
            outw.flush();
        });
        finish(outw, r, markdown, images, settings.jsonDir());
        return 0;
    }

    private void finish(PrintWriter outw, Study.Results r, Path markdown, Path images, Path jsonDir)
            throws IOException {
        Path json = jsonDir.resolve(Study.RESULTS_JSON);
        if (reportOnly == null) {
            Study.write(r, json);
        }
        List<String> pngs = new StudyCharts(r, images).drawAll();
        Path base = markdown.toAbsolutePath().getParent();
        String rel = base.relativize(images.toAbsolutePath()).toString();
        StudyReport report = new StudyReport(r, markdown, rel.isEmpty() ? "." : rel);
        report.write(pngs);
        Path source = reportOnly != null ? reportOnly : json;
        if (Files.size(source) < 2_000_000 && base.getFileName() != null
                && base.getFileName().toString().equals("docs")) {
            Files.copy(source, base.resolve("study-results.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        outw.println("Wrote " + markdown + ", " + pngs.size() + " plots in " + images + ", raw numbers in " + source);
        outw.println("Recommended defaults:");
        report.recommendations().forEach(l -> outw.println("  - " + l.replace("**", "")));
        outw.flush();
    }

    private static void applyThreads(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        }
    }

    /** Builds the settings: the quick preset or the full defaults, then every option given explicitly. */
    StudySettings settings() {
        Path md = out != null ? out : Path.of("docs/results.md");
        Path json = jsonDir != null ? jsonDir : Path.of("study/target/study");
        StudySettingsBuilder b = quick ? StudySettings.quick(json) : StudySettings.builder();
        b.optMarkdown(quick && out == null ? json.resolve("results.md") : md).optJsonDir(json);
        if (seeds != null) {
            b.optSeeds(seeds);
        }
        if (firstSeed != null) {
            b.optFirstSeed(firstSeed);
        }
        if (limit != null) {
            b.optLimit(limit);
        }
        if (heldOut != null) {
            b.optHeldOut(heldOut);
        }
        if (encoders != null) {
            b.optEncoders(encoders);
        }
        if (variants != null) {
            b.optVariants(Variant.parseAll(variants));
        }
        if (transformerVariants != null) {
            b.optTransformerVariants(Variant.parseAll(transformerVariants));
        }
        if (originalVariants != null) {
            b.optOriginalVariants(Variant.parseAll(originalVariants));
        }
        if (transformerSeeds != null) {
            b.optTransformerSeeds(transformerSeeds);
        }
        if (transformerOrders != null) {
            List<StreamOrder> o = new ArrayList<>();
            for (String x : transformerOrders) {
                o.add(StreamOrder.parse(x));
            }
            b.optTransformerOrders(o);
        }
        if (sweepSeeds != null) {
            b.optSweepSeeds(sweepSeeds);
        }
        if (ema != null) {
            switch (ema.trim().toLowerCase(Locale.ROOT)) {
                case "both":
                    b.optEmaModes(List.of(false, true));
                    break;
                case "on":
                    b.optEmaModes(List.of(true));
                    break;
                case "off":
                    b.optEmaModes(List.of(false));
                    break;
                default:
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--ema must be both, on or off, got '" + ema + "'");
            }
        }
        if (orders != null) {
            List<StreamOrder> o = new ArrayList<>();
            for (String s : orders) {
                o.add(StreamOrder.parse(s));
            }
            b.optOrders(o);
        }
        if (maxLength != null) {
            b.optMaxLength(maxLength);
        }
        if (batchSize != null) {
            b.optBatchSize(batchSize);
        }
        if (epsilon != null) {
            b.optEpsilon(epsilon);
        }
        if (alpha != null) {
            b.optAlpha(alpha);
        }
        if (learningRate != null) {
            b.optLearningRate(learningRate);
        }
        if (mu != null) {
            b.optMu(mu);
        }
        if (beta != null) {
            b.optBeta(beta);
        }
        if (warmup != null) {
            b.optWarmup(warmup);
        }
        if (attackEpsilon != null) {
            b.optAttackEpsilon(attackEpsilon);
        }
        if (restarts != null) {
            b.optPgdRestarts(restarts);
        }
        if (discreteExamples != null) {
            b.optDiscreteExamples(discreteExamples);
        }
        if (discreteBudget != null) {
            b.optDiscreteBudget(discreteBudget);
        }
        if (topWords != null) {
            b.optDiscreteTopWords(topWords);
        }
        if (probeSize != null) {
            b.optProbeSize(probeSize);
        }
        if (probeEvery != null) {
            b.optProbeEvery(probeEvery);
        }
        if (collapseMinClean != null) {
            b.optCollapseMinClean(collapseMinClean);
        }
        if (collapseDrop != null) {
            b.optCollapseDrop(collapseDrop);
        }
        if (drift != null) {
            b.optDrift(drift);
        }
        if (driftVariants != null) {
            b.optDriftVariants(Variant.parseAll(driftVariants));
        }
        if (driftEvents != null) {
            b.optDriftPhaseEvents(driftEvents);
        }
        if (driftHeldOut != null) {
            b.optDriftHeldOut(driftHeldOut);
        }
        if (sweep != null) {
            b.optSweep(sweep);
        }
        if (sweepVariant != null) {
            b.optSweepVariant(Variant.parse(sweepVariant));
        }
        if (sweepParams != null) {
            b.optSweepParams(sweepParams);
        }
        if (threads != null) {
            b.optThreads(threads);
        }
        List<String> args = spec.commandLine().getParseResult() == null ? List.of()
                : spec.commandLine().getParseResult().originalArgs();
        // The launcher's command is recorded; -Dbulwark.study.launcher names another way it was started.
        String launcher = System.getProperty("bulwark.study.launcher", "bulwark study");
        b.optCommandLine((launcher + " " + String.join(" ", args)).trim());
        return b.build();
    }
}
