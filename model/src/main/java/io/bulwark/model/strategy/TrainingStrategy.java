package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** How one mini-batch is turned into parameter updates (natural, PGD, FreeAT, FreeLB). */
public interface TrainingStrategy {

    /**
     * Trains on the step's batch.
     *
     * @return the mean per-example norm of the (masked) perturbation after the step, 0 if there is none
     */
    double step(StepContext ctx);

    /** State carried across steps that a checkpoint must hold (e.g. FreeAT's delta bank), by name. */
    default Map<String, NDArray> state() {
        return Map.of();
    }

    /** Releases native memory. */
    default void close() {}
}
