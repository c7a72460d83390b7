package io.bulwark.serving.ab;

import java.util.Locale;

/** What an arm serves: a pinned version, the latest version, or nothing. */
public record ArmSpec(Kind kind, long version) {

    /** The kinds of arm specification. */
    public enum Kind {
        /** A fixed version. */
        PINNED,
        /** The newest loaded version (for arm A: the newest that passes the robustness gate). */
        LATEST,
        /** No version: the arm takes no traffic. */
        NONE
    }

    private static final ArmSpec LATEST_SPEC = new ArmSpec(Kind.LATEST, 0);
    private static final ArmSpec NONE_SPEC = new ArmSpec(Kind.NONE, 0);

    /** Follow the newest version. */
    public static ArmSpec latest() {
        return LATEST_SPEC;
    }

    /** Serve nothing. */
    public static ArmSpec none() {
        return NONE_SPEC;
    }

    /** Serve exactly {@code version}. */
    public static ArmSpec pinned(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return new ArmSpec(Kind.PINNED, version);
    }

    /** Parses "latest", "none", "7" or "v7". */
    public static ArmSpec parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("latest")) {
            return latest();
        }
        if (t.equals("none")) {
            return none();
        }
        if (t.startsWith("v")) {
            t = t.substring(1);
        }
        try {
            return pinned(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("arm must be 'latest', 'none' or a version number, got '" + s + "'");
        }
    }

    /** True for a pinned version. */
    public boolean isPinned() {
        return kind == Kind.PINNED;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PINNED -> Long.toString(version);
            case LATEST -> "latest";
            case NONE -> "none";
        };
    }
}
