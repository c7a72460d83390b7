package io.bulwark.cli.job.input;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** The order in which file records are replayed into the input topic. */
public enum InputOrder {
    /** The file's order. */
    ORIGINAL,
    /** By the record's time field (ISO-8601 or epoch ms), records without one last; ties keep the file order. */
    TIME,
    /** A seeded shuffle. */
    SHUFFLED;

    /** Returns a new list in this order; {@code seed} drives {@link #SHUFFLED}. */
    public List<RawInput> apply(List<RawInput> records, long seed) {
        List<RawInput> out = new ArrayList<>(records);
        switch (this) {
            case TIME:
                out.sort(Comparator.comparingLong(RawInput::sortTime));
                break;
            case SHUFFLED:
                Collections.shuffle(out, new Random(seed));
                break;
            case ORIGINAL:
            default:
                break;
        }
        return out;
    }

    /** Parses {@code original}, {@code time} or {@code shuffled}, case-insensitively. */
    public static InputOrder parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown order '" + s + "'; expected original, time or shuffled", e);
        }
    }
}
