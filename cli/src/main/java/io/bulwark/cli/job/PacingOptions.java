package io.bulwark.cli.job;

import picocli.CommandLine.Option;

/** How {@code produce} and {@code demo} pace and shuffle the events they send. */
public final class PacingOptions {

    @Option(names = "--shuffle-seed", defaultValue = "42", description = "Seed of --order shuffled.")
    long shuffleSeed;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS/S",
            description = "Events per second; 0 = as fast as possible (default).")
    double rate;
}
