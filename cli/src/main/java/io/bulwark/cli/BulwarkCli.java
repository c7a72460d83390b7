package io.bulwark.cli;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.cli.common.LearnerFlags;
import io.bulwark.cli.job.DemoCommand;
import io.bulwark.cli.job.PipelineBenchCommand;
import io.bulwark.cli.job.ProduceCommand;
import io.bulwark.cli.job.RunCommand;
import io.bulwark.cli.job.SnapshotsCommand;
import io.bulwark.cli.job.StackCommand;
import io.bulwark.cli.learner.AttackCommand;
import io.bulwark.cli.learner.BenchCommand;
import io.bulwark.cli.learner.ContinualCommand;
import io.bulwark.cli.learner.ParamsCommand;
import io.bulwark.cli.learner.RobustnessCommand;
import io.bulwark.cli.learner.TrainCommand;
import io.bulwark.serving.cli.ServingCli;
import io.bulwark.serving.bench.ServingBenchmark;
import io.bulwark.study.StudyCli;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The Bulwark command line: one root command holding every subcommand. {@code ./bulwark} runs it; it also runs
 * from a plain classpath ({@code java -cp 'lib/*' io.bulwark.cli.BulwarkCli train --help}).
 *
 * <p>Exit codes: 0 success, 1 a run that failed after its arguments were accepted, 2 bad arguments.
 */
@Command(name = "bulwark", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Continual adversarial training of text classifiers on Kafka streams with Apache Flink.",
        subcommands = {
            TrainCommand.class,
            BenchCommand.class,
            AttackCommand.class,
            RobustnessCommand.class,
            ContinualCommand.class,
            ParamsCommand.class,
            DemoCommand.class,
            ProduceCommand.class,
            SnapshotsCommand.class,
            StackCommand.class,
            RunCommand.class,
            PipelineBenchCommand.class,
            ServingCli.Serve.class,
            CommandLine.HelpCommand.class
        })
public final class BulwarkCli implements Runnable {

    /** Exit code of a run that failed after its arguments were accepted. */
    public static final int EXIT_FAILURE = 1;

    /** Exit code of a run whose arguments were rejected. */
    public static final int EXIT_USAGE = 2;

    /** The log4j configuration of the command line, used unless one is given. */
    static final String LOG_CONFIG = "bulwark-cli-log4j2.properties";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        // A successful serve returns from its shutdown hook; exiting again from there would block the JVM.
        boolean served = args.length > 0 && "serve".equals(args[0]) && !Arrays.asList(args).contains("--help")
                && !Arrays.asList(args).contains("-h");
        if (code != 0 || !served) {
            System.exit(code);
        }
    }

    /** Runs the command line with standard output and error and returns its exit code (used by tests). */
    public static int run(String... args) {
        return execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /** Runs the command line with the given output streams and returns its exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new BulwarkCli());
        cli.addSubcommand("serving-bench", new ServingBenchmark.Command());
        cli.addSubcommand("study", new StudyCli());
        for (String name : List.of("train", "bench", "continual", "demo", "pipeline-bench", "run")) {
            LearnerFlags.addTo(cli.getSubcommands().get(name));
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(e));
            if (Boolean.getBoolean("bulwark.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("See '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
                return EXIT_USAGE;
            }
            return EXIT_FAILURE;
        });
        return cli;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e.toString()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
