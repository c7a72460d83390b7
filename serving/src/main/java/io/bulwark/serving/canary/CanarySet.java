package io.bulwark.serving.canary;

import io.bulwark.model.Example;
import io.bulwark.model.attack.GoodWords;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The canary set of one model: the most recent held-out events (first in, first out, at most {@code capacity}),
 * each with its attacked texts, and a version that grows with every change, so that scores can be tied to the exact
 * examples they were computed on. Thread-safe.
 *
 * <p>The good words the attacks use are recomputed from the set's current examples every
 * {@link #GOOD_WORDS_EVERY} additions; a new example is attacked with those computed before it arrived.
 */
public final class CanarySet {

    /** Additions between two recomputations of the good words. */
    static final int GOOD_WORDS_EVERY = 32;
    private static final int GOOD_WORDS_KEPT = 500;
    private static final int GOOD_WORDS_MIN_DOCS = 2;

    private final int capacity;
    private final CanaryAttacks attacks;
    private final ArrayDeque<CanaryExample> examples = new ArrayDeque<>();
    private final Set<String> ids = new HashSet<>();
    private final Set<String> labels = new TreeSet<>();
    private long version;
    private long nextSeq;
    private long duplicates;
    private GoodWords goodWords;
    private int sinceGoodWords;

    /** An immutable view of the set at one version. */
    public record Snapshot(long version, List<CanaryExample> examples) {

        /** Examples in the set. */
        public int size() {
            return examples.size();
        }
    }

    /** A set keeping at most {@code capacity} examples, attacked with {@code attacks}. */
    public CanarySet(int capacity, CanaryAttacks attacks) {
        if (capacity < 1) {
            throw new IllegalArgumentException("canary capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.attacks = attacks;
    }

    /**
     * Adds a held-out event (the oldest one leaves when the set is full); returns false, changing nothing, for an
     * event id already in the set or an event without text or label.
     */
    public synchronized boolean add(String eventId, String text, String label) {
        if (eventId == null || text == null || text.isEmpty() || label == null || label.isEmpty()) {
            return false;
        }
        if (!ids.add(eventId)) {
            duplicates++;
            return false;
        }
        labels.add(label);
        if (sinceGoodWords >= GOOD_WORDS_EVERY || (goodWords == null && !examples.isEmpty())) {
            rebuildGoodWords();
        }
        examples.addLast(new CanaryExample(nextSeq++, eventId, text, label,
                attacks.perturb(eventId, text, label, labels, goodWords)));
        sinceGoodWords++;
        while (examples.size() > capacity) {
            ids.remove(examples.removeFirst().eventId());
        }
        version++;
        return true;
    }

    private void rebuildGoodWords() {
        List<Example> labeled = new ArrayList<>(examples.size());
        for (CanaryExample e : examples) {
            labeled.add(Example.of(e.text(), e.label()));
        }
        goodWords = GoodWords.counter().add(labeled).build(GOOD_WORDS_KEPT, GOOD_WORDS_MIN_DOCS);
        sinceGoodWords = 0;
    }

    /** The current examples and version. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(version, List.copyOf(examples));
    }

    /** The version: the number of changes so far. */
    public synchronized long version() {
        return version;
    }

    /** Examples in the set. */
    public synchronized int size() {
        return examples.size();
    }

    /** The most examples kept. */
    public int capacity() {
        return capacity;
    }

    /** Events refused because their id was already in the set. */
    public synchronized long duplicates() {
        return duplicates;
    }

    /** Labels seen. */
    public synchronized List<String> labels() {
        return List.copyOf(labels);
    }
}
