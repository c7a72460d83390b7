package io.bulwark.cli.local;

import io.bulwark.job.JobOptions;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job's six topics with the configurations they need: partitions, retention, compaction for the latest
 * snapshots, and {@code max.message.bytes} large enough for a snapshot (the sink producers' max request size).
 */
public final class TopicLayout {

    /** Default partitions of the input topic. */
    public static final int DEFAULT_INPUT_PARTITIONS = 2;

    private final String input;
    private final String snapshots;
    private final String latest;
    private final String reports;
    private final String deadLetters;
    private final String heldOut;
    private final int inputPartitions;
    private final long maxMessageBytes;
    private final Duration retention;

    private TopicLayout(Configuration conf, int inputPartitions, Duration retention) {
        this.input = conf.get(JobOptions.INPUT_TOPIC);
        this.snapshots = conf.get(JobOptions.SNAPSHOTS_TOPIC);
        this.latest = conf.get(JobOptions.LATEST_TOPIC);
        this.reports = conf.get(JobOptions.REPORTS_TOPIC);
        this.deadLetters = conf.get(JobOptions.DEAD_LETTER_TOPIC);
        this.heldOut = conf.get(JobOptions.HELDOUT_TOPIC);
        this.inputPartitions = inputPartitions;
        this.maxMessageBytes = conf.get(JobOptions.MAX_REQUEST_SIZE).getBytes();
        this.retention = retention;
    }

    /** Returns the layout of a job configuration. */
    public static TopicLayout of(Configuration conf, int inputPartitions, Duration retention) {
        return new TopicLayout(conf, inputPartitions, retention);
    }

    /** Returns topic name -> partitions. */
    public Map<String, Integer> partitions() {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(input, inputPartitions);
        out.put(snapshots, 1);
        out.put(latest, 1);
        out.put(reports, 1);
        out.put(deadLetters, 1);
        out.put(heldOut, 1);
        return out;
    }

    /** Returns the topic-level configuration of a topic of this layout. */
    public Map<String, String> config(String topic) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("retention.ms", Long.toString(retention.toMillis()));
        if (topic.equals(snapshots) || topic.equals(latest)) {
            c.put("max.message.bytes", Long.toString(maxMessageBytes));
        }
        if (topic.equals(latest)) {
            c.put("cleanup.policy", "compact");
            c.put("retention.ms", "-1");
        }
        return c;
    }

    /** Returns the input topic. */
    public String input() {
        return input;
    }

    /** Returns the snapshot versions topic. */
    public String snapshots() {
        return snapshots;
    }

    /** Returns the latest-snapshot topic. */
    public String latest() {
        return latest;
    }

    /** Returns the reports topic. */
    public String reports() {
        return reports;
    }

    /** Returns the held-out topic (serving's canary sets). */
    public String heldOut() {
        return heldOut;
    }

    /** Returns the dead-letter topic. */
    public String deadLetters() {
        return deadLetters;
    }
}
