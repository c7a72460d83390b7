package io.bulwark.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** The order in which a stream of records is replayed. */
public enum StreamOrder {
    /** The order of the file. */
    ORIGINAL,
    /** A seeded shuffle of the file ({@link java.util.Collections#shuffle(List, Random)}). */
    SHUFFLED,
    /** Sorted by the ISO-8601 {@code time} field, records without one last; ties keep the file order. */
    TIME;

    /** The field that {@link #TIME} sorts on. */
    public static final String TIME_FIELD = "time";

    /** Returns a new list with the records in this order; {@code seed} is used by {@link #SHUFFLED} only. */
    public <T extends DataRecord> List<T> apply(List<T> records, long seed) {
        List<T> out = new ArrayList<>(records);
        switch (this) {
            case ORIGINAL:
                return out;
            case SHUFFLED:
                Collections.shuffle(out, new Random(seed));
                return out;
            case TIME:
                // ISO-8601 UTC timestamps of one format sort correctly as text.
                out.sort(Comparator.comparing((T r) -> r.field(TIME_FIELD),
                        Comparator.nullsLast(Comparator.naturalOrder())));
                return out;
            default:
                throw new IllegalStateException("Unknown order " + this);
        }
    }

    /** Parses {@code original}, {@code shuffled} or {@code time}, case-insensitively. */
    public static StreamOrder parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown order '" + name + "': expected original, shuffled or time", e);
        }
    }
}
