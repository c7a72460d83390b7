package io.bulwark.serving.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Counters, latency and feedback accuracy of one arm of one model. */
public final class ArmStats {

    private final String modelId;
    private final String arm;
    private final Counter requests;
    private final Counter texts;
    private final Timer latency;
    private final Timer inference;
    private final Counter feedbackCorrect;
    private final Counter feedbackIncorrect;
    private final AtomicLong correct = new AtomicLong();
    private final AtomicLong judged = new AtomicLong();
    private final Recorder recorder = new Recorder(3);
    private final Deque<Histogram> window = new ArrayDeque<>();
    private final int windowIntervals;
    private Histogram intervalReuse;

    ArmStats(MeterRegistry registry, String modelId, String arm, int windowIntervals) {
        this.windowIntervals = windowIntervals;
        this.modelId = modelId;
        this.arm = arm;
        Tags tags = Tags.of("model", modelId, "arm", arm);
        this.requests = Counter.builder("bulwark.serving.requests").tags(tags)
                .description("Scoring requests answered").register(registry);
        this.texts = Counter.builder("bulwark.serving.predictions").tags(tags)
                .description("Texts scored (a batched request counts each text)").register(registry);
        this.latency = Timer.builder("bulwark.serving.request.latency").tags(tags)
                .description("Scoring request latency inside the server, from parsed request to encoded answer")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.inference = Timer.builder("bulwark.serving.inference.latency").tags(tags)
                .description("Model inference time of one request (part of the request latency)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.feedbackCorrect = Counter.builder("bulwark.serving.feedback").tags(tags).tag("outcome", "correct")
                .description("Feedback labels received for predictions of this arm").register(registry);
        this.feedbackIncorrect = Counter.builder("bulwark.serving.feedback").tags(tags).tag("outcome", "incorrect")
                .description("Feedback labels received for predictions of this arm").register(registry);
        io.micrometer.core.instrument.Gauge.builder("bulwark.serving.accuracy", this, ArmStats::accuracy).tags(tags)
                .description("Share of feedback labels this arm predicted right (NaN before any feedback)")
                .strongReference(true).register(registry);
    }

    /** Records one answered request of {@code textCount} texts. */
    public void recordRequest(int textCount, long totalNanos, long inferenceNanos) {
        requests.increment();
        texts.increment(textCount);
        latency.record(totalNanos, TimeUnit.NANOSECONDS);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
        recorder.recordValue(Math.max(1, totalNanos / 1000));
    }

    /** Records texts scored without answering (shadow scoring). */
    public void recordShadow(int textCount, long inferenceNanos) {
        texts.increment(textCount);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    /** Records one feedback label. */
    public void recordFeedback(boolean right) {
        judged.incrementAndGet();
        if (right) {
            correct.incrementAndGet();
            feedbackCorrect.increment();
        } else {
            feedbackIncorrect.increment();
        }
    }

    /** Feedback accuracy, NaN before any feedback. */
    public double accuracy() {
        long n = judged.get();
        return n == 0 ? Double.NaN : (double) correct.get() / n;
    }

    /** Feedback labels received. */
    public long feedbackCount() {
        return judged.get();
    }

    /** Requests answered. */
    public long requestCount() {
        return (long) requests.count();
    }

    /** Texts scored. */
    public long textCount() {
        return (long) texts.count();
    }

    /** Mean request latency since start, milliseconds. */
    public double meanLatencyMillis() {
        return latency.mean(TimeUnit.MILLISECONDS);
    }

    /** Mean inference time since start, milliseconds. */
    public double meanInferenceMillis() {
        return inference.mean(TimeUnit.MILLISECONDS);
    }

    /** Closes the current latency interval into the sliding window; called by the sampler. */
    synchronized void rollInterval() {
        intervalReuse = recorder.getIntervalHistogram(intervalReuse);
        window.addLast(intervalReuse.copy());
        while (window.size() > windowIntervals) {
            window.removeFirst();
        }
    }

    /** Latency percentile (milliseconds) over the sliding window of recent intervals, NaN when idle. */
    public synchronized double recentLatencyMillis(double percentile) {
        Histogram sum = new Histogram(3);
        for (Histogram h : window) {
            sum.add(h);
        }
        if (sum.getTotalCount() == 0) {
            return Double.NaN;
        }
        return sum.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The model id. */
    public String modelId() {
        return modelId;
    }

    /** The arm name. */
    public String arm() {
        return arm;
    }
}
