package io.bulwark.cli.job;

import io.bulwark.job.metrics.BulwarkMetrics;
import io.bulwark.job.metrics.InProcessMetrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples a running job's in-process metrics every few milliseconds on a daemon thread: when trained examples first
 * and last changed (the steady throughput, from the first to the last trained batch), and Flink's statistics of
 * each completed checkpoint ({@code lastCheckpointDuration}, {@code lastCheckpointSize}).
 */
final class JobSampler implements AutoCloseable {

    private static final long PERIOD_MS = 10;

    private final String jobName;
    private final Thread thread;
    private volatile boolean stop;

    private long firstAt = -1;
    private long firstCount;
    private long lastAt = -1;
    private long lastCount;
    private long checkpoints;
    private final List<long[]> checkpointStats = new ArrayList<>();

    private JobSampler(String jobName) {
        this.jobName = jobName;
        this.thread = new Thread(this::loop, "bench-sampler-" + jobName);
        this.thread.setDaemon(true);
    }

    /** Starts sampling the metrics of {@code jobName}. */
    static JobSampler start(String jobName) {
        JobSampler s = new JobSampler(jobName);
        s.thread.start();
        return s;
    }

    private void loop() {
        while (!stop) {
            sample();
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        long trained = InProcessMetrics.sum(jobName, BulwarkMetrics.EXAMPLES_TRAINED);
        if (trained > lastCount) {
            if (firstAt < 0) {
                firstAt = now;
                firstCount = trained;
            }
            lastAt = now;
            lastCount = trained;
        }
        long completed = InProcessMetrics.sum(jobName, "numberOfCompletedCheckpoints");
        if (completed > checkpoints) {
            checkpoints = completed;
            long duration = (long) InProcessMetrics.max(jobName, "lastCheckpointDuration").orElse(Double.NaN);
            long size = (long) InProcessMetrics.max(jobName, "lastCheckpointSize").orElse(Double.NaN);
            checkpointStats.add(new long[] {duration, size});
        }
    }

    /** Stops sampling (after a last sample). */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
        sample();
    }

    /** When the first trained batch was seen, System.nanoTime(), or -1. */
    synchronized long firstBatchAt() {
        return firstAt;
    }

    /** When the last trained batch was seen, System.nanoTime(), or -1. */
    synchronized long lastBatchAt() {
        return lastAt;
    }

    /** Examples trained per second from the first to the last trained batch (NaN before two batches). */
    synchronized double steadyRate() {
        double s = (lastAt - firstAt) / 1e9;
        return firstAt < 0 || s <= 0 ? Double.NaN : (lastCount - firstCount) / s;
    }

    /** Flink's statistics of the completed checkpoints seen: count, mean and max duration (ms) and size (bytes). */
    synchronized Map<String, Object> checkpointJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("completed", checkpoints);
        m.put("sampled", checkpointStats.size());
        m.put("mean_duration_ms", mean(0));
        m.put("max_duration_ms", max(0));
        m.put("mean_size_bytes", mean(1));
        m.put("max_size_bytes", max(1));
        return m;
    }

    private double mean(int i) {
        return checkpointStats.stream().mapToLong(a -> a[i]).filter(v -> v >= 0).average().orElse(Double.NaN);
    }

    private long max(int i) {
        return checkpointStats.stream().mapToLong(a -> a[i]).max().orElse(-1);
    }
}
