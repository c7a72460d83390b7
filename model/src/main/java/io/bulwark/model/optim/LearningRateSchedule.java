package io.bulwark.model.optim;

import io.bulwark.model.LearnerConfig;

/**
 * Learning rate per update: linear warm-up from lr/warmup to lr over the first {@code warmup} updates, then either
 * constant (the default for an unbounded stream, which has no end to decay towards) or inverse square root,
 * {@code lr * sqrt(warmup / t)} (Vaswani et al. 2017), for streams whose distribution settles.
 */
public final class LearningRateSchedule {

    private final double lr;
    private final int warmup;
    private final LearnerConfig.ScheduleType type;

    /** A schedule from the configuration. */
    public LearningRateSchedule(LearnerConfig config) {
        this(config.learningRate(), config.warmupSteps(), config.schedule());
    }

    /** A schedule with explicit settings. */
    public LearningRateSchedule(double lr, int warmup, LearnerConfig.ScheduleType type) {
        this.lr = lr;
        this.warmup = warmup;
        this.type = type;
    }

    /** The learning rate of update number {@code t} (1-based). */
    public double rate(long t) {
        if (warmup > 0 && t <= warmup) {
            return lr * t / warmup;
        }
        if (type == LearnerConfig.ScheduleType.INVERSE_SQRT) {
            return lr * Math.sqrt(Math.max(warmup, 1) / (double) t);
        }
        return lr;
    }
}
