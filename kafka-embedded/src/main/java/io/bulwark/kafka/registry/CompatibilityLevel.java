package io.bulwark.kafka.registry;

import java.util.Locale;

/** Schema evolution rules a subject enforces on registration, with Confluent's names and meanings. */
public enum CompatibilityLevel {
    /** No check. */
    NONE(false, false, false),
    /** The new schema can read data written with the latest version. */
    BACKWARD(true, false, false),
    /** The new schema can read data written with every earlier version. */
    BACKWARD_TRANSITIVE(true, false, true),
    /** Data written with the new schema can be read with the latest version. */
    FORWARD(false, true, false),
    /** Data written with the new schema can be read with every earlier version. */
    FORWARD_TRANSITIVE(false, true, true),
    /** Both BACKWARD and FORWARD against the latest version. */
    FULL(true, true, false),
    /** Both BACKWARD and FORWARD against every earlier version. */
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Returns true when the new schema must read data of the existing ones. */
    public boolean backward() {
        return backward;
    }

    /** Returns true when the existing schemas must read data of the new one. */
    public boolean forward() {
        return forward;
    }

    /** Returns true when every earlier version is checked, not only the latest. */
    public boolean transitive() {
        return transitive;
    }

    /** Parses a level name (case-insensitive), or returns null for an unknown one. */
    public static CompatibilityLevel parseOrNull(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
