package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** How one mini-batch is turned into parameter updates (natural, PGD, FreeAT, FreeLB). */
public interface TrainingStrategy {

    /**
     * Trains on the step's batch.
     *
     * @return the mean per-example norm of the (masked) perturbation after the step, 0 if there is none, or NaN
     *     when the strategy recorded the perturbation with {@link StepContext#recordPerturbation} (its norm is then
     *     read on the device with the step's other values, without a read of its own)
     */
    double step(StepContext ctx);

    /** State carried across steps that a checkpoint must hold (e.g. FreeAT's delta bank), by name. */
    default Map<String, NDArray> state() {
        return Map.of();
    }

    /** Releases native memory. */
    default void close() {}
}
