package io.bulwark.job.metrics;

import io.bulwark.job.deadletter.DeadLetterReason;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/** Dead-letter counters of one operator: {@code bulwark.deadLetters} and {@code bulwark.reason.<R>.deadLetters}. */
public final class DeadLetterCounters {

    private final MetricGroup group;
    private final Counter total;
    private final Map<DeadLetterReason, Counter> byReason = new EnumMap<>(DeadLetterReason.class);

    /** Registers the total counter in {@code bulwarkGroup}; per-reason counters appear on first use. */
    public DeadLetterCounters(MetricGroup bulwarkGroup) {
        this.group = bulwarkGroup;
        this.total = bulwarkGroup.counter(BulwarkMetrics.DEAD_LETTERS);
    }

    /** Counts one dead letter with its reason. */
    public void inc(DeadLetterReason reason) {
        total.inc();
        byReason.computeIfAbsent(reason,
                r -> group.addGroup(BulwarkMetrics.REASON_GROUP, r.name()).counter(BulwarkMetrics.DEAD_LETTERS)).inc();
    }

    /** Returns the total count. */
    public long total() {
        return total.getCount();
    }
}
