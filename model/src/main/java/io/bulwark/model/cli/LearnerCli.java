package io.bulwark.model.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Command line of the learner: {@code train} on a JSONL/CSV stream (default: the bundled SpamAssassin corpus) and
 * {@code bench} of the training strategies. Runs from a plain classpath:
 * {@code java -cp 'lib/*' io.bulwark.model.cli.LearnerCli train --help}.
 */
@Command(name = "bulwark", mixinStandardHelpOptions = true, versionProvider = LearnerCli.Version.class,
        description = "Continual adversarial training of text classifiers: the learner's command line.",
        subcommands = {TrainCommand.class, BenchCommand.class, ContinualCommand.class, CommandLine.HelpCommand.class})
public final class LearnerCli implements Runnable {
    /** Exit code of a run that failed after its arguments were accepted. */
    static final int EXIT_FAILURE = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: train, bench or continual");
    }

    /** Runs the CLI and exits with its exit code (0 ok, 1 run failed, 2 bad arguments). */
    public static void main(String[] args) {
        configureLogging();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given output streams and returns its exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new LearnerCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(e));
            if (Boolean.getBoolean("bulwark.debug")) {
                e.printStackTrace(commandLine.getErr());
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

    /** The CLI logs warnings and errors to stderr (SLF4J simple binding) unless told otherwise. */
    private static void configureLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
        // DJL warns on every engine start of a CPU-only host that it found no CUDA driver; the learner itself warns
        // when a requested GPU is missing.
        String cuda = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
        if (System.getProperty(cuda) == null) {
            System.setProperty(cuda, "error");
        }
    }

    /** Reports the version of the model jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = LearnerCli.class.getPackage().getImplementationVersion();
            return new String[] {"bulwark learner " + (v != null ? v : "(development build)")};
        }
    }
}
