package io.bulwark.job.train;

import io.bulwark.job.validate.TrainingEvent;

import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Keeps the validated events the training operator holds out ({@link HeldOutSelector} on model id and event id,
 * labeled events only), so they can be published for serving's canary sets without touching the training path.
 */
public final class HeldOutFilter implements FilterFunction<TrainingEvent> {

    private static final long serialVersionUID = 1L;

    private final double fraction;

    /** Keeps the held-out {@code fraction} of labeled events. */
    public HeldOutFilter(double fraction) {
        this.fraction = fraction;
    }

    @Override
    public boolean filter(TrainingEvent e) {
        return e.label != null && HeldOutSelector.isHeldOut(e.modelId, e.id, fraction);
    }
}
