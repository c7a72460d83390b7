package io.bulwark.job.train;

import io.bulwark.job.validate.TrainingEvent;

import org.apache.flink.api.common.functions.FilterFunction;

import java.util.List;

/**
 * Keeps the validated events the training operator holds out ({@link HeldOutSelector} on model id and event id,
 * labeled events only), so they can be published for serving's canary sets without touching the training path.
 * With a fixed label set, an event whose label is outside it is dropped, as the operator dead-letters it; with
 * learned labels every held-out event is kept (the operator's cap on new labels depends on its state).
 */
public final class HeldOutFilter implements FilterFunction<TrainingEvent> {

    private static final long serialVersionUID = 1L;

    private final double fraction;
    private final List<String> fixedLabels;

    /** Keeps the held-out {@code fraction} of labeled events, with a label in {@code fixedLabels} unless empty. */
    public HeldOutFilter(double fraction, List<String> fixedLabels) {
        this.fraction = fraction;
        this.fixedLabels = List.copyOf(fixedLabels);
    }

    @Override
    public boolean filter(TrainingEvent e) {
        return e.label != null && (fixedLabels.isEmpty() || fixedLabels.contains(e.label))
                && HeldOutSelector.isHeldOut(e.modelId, e.id, fraction);
    }
}
