package io.bulwark.kafka;

/**
 * The default names of Bulwark's Kafka topics, used by the job's options, serving's options and the command line.
 * Every name can be changed per deployment; these are the defaults the deployment files (deploy/) create.
 */
public final class Topics {

    /** Labeled text events, the job's input. */
    public static final String EVENTS = "bulwark.events";
    /** Every model snapshot version the job publishes. */
    public static final String SNAPSHOTS = "bulwark.snapshots";
    /** The latest snapshot per model (compacted). */
    public static final String SNAPSHOTS_LATEST = "bulwark.snapshots.latest";
    /** Robustness reports, one per published snapshot. */
    public static final String REPORTS = "bulwark.reports";
    /** Held-out events (LabeledText keyed by model id) that serving keeps as each model's canary set. */
    public static final String HELDOUT = "bulwark.heldout";
    /** Records the job could not use, with their reason. */
    public static final String DEAD_LETTERS = "bulwark.deadletters";

    private Topics() {}
}
