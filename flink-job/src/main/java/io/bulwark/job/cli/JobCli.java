package io.bulwark.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Bulwark command line of the Flink job module: {@code demo} (everything in one process), {@code produce},
 * {@code snapshots} and {@code bench}.
 */
@Command(name = "bulwark", mixinStandardHelpOptions = true, version = "bulwark 0.1.0",
        description = "Continual adversarial training of text classifiers on Kafka streams with Apache Flink.",
        subcommands = {DemoCommand.class, ProduceCommand.class, SnapshotsCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class JobCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The log4j configuration of the command line, used unless one is given. */
    static final String LOG_CONFIG = "bulwark-cli-log4j2.properties";

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit status (0 = success). */
    public static int run(String... args) {
        return new CommandLine(new JobCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException) {
                        cmd.getErr().println("Error: " + e.getMessage());
                        cmd.getErr().println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
