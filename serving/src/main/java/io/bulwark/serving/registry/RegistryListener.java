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

    /** A listener passing every call to each of {@code listeners}, in order. */
    static RegistryListener all(RegistryListener... listeners) {
        return new RegistryListener() {
            @Override
            public void loaded(String modelId, long version, long nanos) {
                for (RegistryListener l : listeners) {
                    l.loaded(modelId, version, nanos);
                }
            }

            @Override
            public void refused(String modelId, String kind) {
                for (RegistryListener l : listeners) {
                    l.refused(modelId, kind);
                }
            }

            @Override
            public void evicted(String modelId, long version) {
                for (RegistryListener l : listeners) {
                    l.evicted(modelId, version);
                }
            }

            @Override
            public void report(ReportPoint report) {
                for (RegistryListener l : listeners) {
                    l.report(report);
                }
            }

            @Override
            public void gateBlocked(String modelId, GateDecision decision) {
                for (RegistryListener l : listeners) {
                    l.gateBlocked(modelId, decision);
                }
            }

            @Override
            public void autoRolledBack(String modelId, io.bulwark.serving.ab.Experiment.Event rollback) {
                for (RegistryListener l : listeners) {
                    l.autoRolledBack(modelId, rollback);
                }
            }

            @Override
            public void modelAdded(ServedModel slot) {
                for (RegistryListener l : listeners) {
                    l.modelAdded(slot);
                }
            }
        };
    }
}
