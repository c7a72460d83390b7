package io.bulwark.serving.registry;

import io.bulwark.serving.ab.ReportPoint;
import io.bulwark.serving.ab.GateDecision;

/** Observes the registry (metrics, logs). All methods have empty defaults. */
public interface RegistryListener {

    /** A snapshot version loaded in {@code nanos}. */
    default void loaded(String modelId, long version, long nanos) {}

    /** A snapshot was refused; {@code kind} is a short tag such as "format" or "decode". */
    default void refused(String modelId, String kind) {}

    /** A version was evicted to respect the bound on versions per model. */
    default void evicted(String modelId, long version) {}

    /** A robustness report arrived. */
    default void report(ReportPoint report) {}

    /** The robustness gate blocked an automatic promotion. */
    default void gateBlocked(String modelId, GateDecision decision) {}

    /** Arm A was rolled back automatically because its canary accuracy stayed below the threshold. */
    default void autoRolledBack(String modelId, io.bulwark.serving.ab.Experiment.Event rollback) {}

    /** A model id was seen for the first time. */
    default void modelAdded(ServedModel slot) {}
}
