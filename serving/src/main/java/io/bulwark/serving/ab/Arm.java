package io.bulwark.serving.ab;

import java.util.Locale;

/** The two arms of a model's experiment: A answers by default, B is the challenger. */
public enum Arm {
    A,
    B;

    /** Parses "A"/"a"/"B"/"b". */
    public static Arm parse(String s) {
        try {
            return Arm.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown arm '" + s + "', expected A or B");
        }
    }

    /** The metric/JSON name of the arm. */
    public String id() {
        return name();
    }
}
