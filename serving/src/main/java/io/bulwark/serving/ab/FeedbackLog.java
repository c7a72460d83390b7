package io.bulwark.serving.ab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Remembers recent request ids with the arm, version and labels that answered them, within a bound (oldest dropped). */
public final class FeedbackLog {

    /** What answered one request; {@code shadowLabels} is filled in when B's shadow scoring completes. */
    public static final class Entry {
        private final Arm arm;
        private final long version;
        private final List<String> labels;
        private final Long shadowVersion;
        private volatile List<String> shadowLabels;

        Entry(Arm arm, long version, List<String> labels, Long shadowVersion) {
            this.arm = arm;
            this.version = version;
            this.labels = List.copyOf(labels);
            this.shadowVersion = shadowVersion;
        }

        /** The arm that answered. */
        public Arm arm() {
            return arm;
        }

        /** The version that answered. */
        public long version() {
            return version;
        }

        /** The labels answered, one per text. */
        public List<String> labels() {
            return labels;
        }

        /** B's version in shadow mode, or null. */
        public Long shadowVersion() {
            return shadowVersion;
        }

        /** B's shadow labels, or null if B did not score (yet). */
        public List<String> shadowLabels() {
            return shadowLabels;
        }

        /** Sets B's shadow labels. */
        public void shadowLabels(List<String> labels) {
            this.shadowLabels = List.copyOf(labels);
        }
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries;

    /** Creates a log holding at most {@code capacity} request ids. */
    public FeedbackLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("feedback capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > FeedbackLog.this.capacity;
            }
        };
    }

    /** Remembers what answered {@code requestId} of {@code modelId}. */
    public synchronized Entry remember(String modelId, String requestId, Arm arm, long version, List<String> labels,
                                       Long shadowVersion) {
        Entry e = new Entry(arm, version, labels, shadowVersion);
        entries.put(key(modelId, requestId), e);
        return e;
    }

    /** Removes and returns the entry of {@code requestId}, so each request is judged once. */
    public synchronized Optional<Entry> take(String modelId, String requestId) {
        return Optional.ofNullable(entries.remove(key(modelId, requestId)));
    }

    /** Request ids remembered. */
    public synchronized int size() {
        return entries.size();
    }

    /** The bound. */
    public int capacity() {
        return capacity;
    }

    private static String key(String modelId, String requestId) {
        return modelId + '\u0000' + requestId;
    }
}
