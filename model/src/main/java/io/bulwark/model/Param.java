package io.bulwark.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One typed parameter: a configuration key, a command-line flag, a type, a default, a validator with the rule it
 * enforces, and a description. Values travel as strings in maps (job configuration, snapshots, checkpoints) and
 * are parsed and checked here, so every entry point reports the same problems in the same words.
 *
 * @param <T> the value type
 */
public final class Param<T> {

    private final String key;
    private final String flag;
    private final String type;
    private final T defaultValue;
    private final String defaultText;
    private final Predicate<T> valid;
    private final String rule;
    private final String description;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;

    private Param(Builder<T> b) {
        this.key = Objects.requireNonNull(b.key, "key");
        this.flag = Objects.requireNonNull(b.flag, "flag");
        this.type = Objects.requireNonNull(b.type, "type");
        this.defaultValue = b.defaultValue;
        this.defaultText = b.defaultText;
        this.valid = b.valid;
        this.rule = b.rule;
        this.description = Objects.requireNonNull(b.description, "description");
        this.parser = Objects.requireNonNull(b.parser, "parser");
        this.formatter = Objects.requireNonNull(b.formatter, "formatter");
    }

    /** The configuration key, e.g. {@code strategy.epsilon}. */
    public String key() {
        return key;
    }

    /** The command-line flag, e.g. {@code --epsilon}. */
    public String flag() {
        return flag;
    }

    /** The type's name as users see it ({@code int}, {@code double}, {@code POOLED|TRANSFORMER}...). */
    public String type() {
        return type;
    }

    /** The default value; {@code null} when the default is derived from other parameters. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as documented (the formatted value, or how a derived default is computed). */
    public String defaultText() {
        return defaultText != null ? defaultText : formatter.apply(defaultValue);
    }

    /** The rule a value must meet, e.g. {@code > 0}; empty when any value of the type is allowed. */
    public String rule() {
        return rule == null ? "" : rule;
    }

    /** What the parameter does. */
    public String description() {
        return description;
    }

    /** Parses a value; throws {@link IllegalArgumentException} naming the key when it cannot be parsed. */
    public T parse(String raw) {
        String v = raw == null ? "" : raw.trim();
        try {
            return parser.apply(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid value '" + v + "' for " + key + " (" + flag + ", " + type + "): "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    /** Formats a value as its map string. */
    public String format(T value) {
        return formatter.apply(value);
    }

    /** The problem with {@code value}, or {@code null} when it meets the rule. */
    public String problem(T value) {
        if (valid == null || valid.test(value)) {
            return null;
        }
        return key + " must be " + rule + ", got " + format(value);
    }

    @Override
    public String toString() {
        return key;
    }

    // ---- factories ------------------------------------------------------------------------------------------

    /** An int parameter with an inclusive range. */
    public static Param<Integer> ofInt(String key, String flag, int defaultValue, int min, int max, String desc) {
        return ofInt(key, flag, defaultValue, v -> v >= min && v <= max, "in [" + min + ", " + max + "]", desc);
    }

    /** An int parameter checked by {@code valid}, described as {@code rule}. */
    public static Param<Integer> ofInt(String key, String flag, int defaultValue, Predicate<Integer> valid,
                                       String rule, String desc) {
        return new Builder<Integer>(key, flag, "int", desc, Param::parseInt, String::valueOf)
                .defaultValue(defaultValue)
                .rule(valid, rule)
                .build();
    }

    /** A long parameter with an inclusive lower bound. */
    public static Param<Long> ofLong(String key, String flag, long defaultValue, long min, String desc) {
        return new Builder<Long>(key, flag, "long", desc, Param::parseLong, String::valueOf)
                .defaultValue(defaultValue)
                .rule(v -> v >= min, ">= " + min)
                .build();
    }

    /** A finite double parameter, checked by {@code valid} described as {@code rule}. */
    public static Param<Double> ofDouble(String key, String flag, double defaultValue, Predicate<Double> valid,
                                         String rule, String desc) {
        return new Builder<Double>(key, flag, "double", desc, Param::parseDouble, String::valueOf)
                .defaultValue(defaultValue)
                .rule(v -> Double.isFinite(v) && valid.test(v), "finite and " + rule)
                .build();
    }

    /**
     * A double parameter whose default is derived from other parameters ({@code derived} says how); its map value
     * is always the resolved number.
     */
    public static Param<Double> ofDerivedDouble(String key, String flag, String derived, Predicate<Double> valid,
                                                String rule, String desc) {
        return new Builder<Double>(key, flag, "double", desc, Param::parseDouble, String::valueOf)
                .defaultText(derived)
                .rule(v -> Double.isFinite(v) && valid.test(v), "finite and " + rule)
                .build();
    }

    /** A boolean parameter ({@code true} or {@code false}). */
    public static Param<Boolean> ofBoolean(String key, String flag, boolean defaultValue, String desc) {
        return new Builder<Boolean>(key, flag, "boolean", desc, Param::parseBoolean, String::valueOf)
                .defaultValue(defaultValue)
                .build();
    }

    /** An enum parameter; values are matched case-insensitively. */
    public static <E extends Enum<E>> Param<E> ofEnum(String key, String flag, Class<E> type, E defaultValue,
                                                      String desc) {
        String names = String.join("|", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList());
        return new Builder<E>(key, flag, names, desc, v -> parseEnum(type, v), Enum::name)
                .defaultValue(defaultValue)
                .build();
    }

    /** A parameter of another type, with its own parser and formatter. */
    public static <T> Param<T> of(String key, String flag, String type, T defaultValue, Function<String, T> parser,
                                  Function<T, String> formatter, String desc) {
        return new Builder<T>(key, flag, type, desc, parser, formatter).defaultValue(defaultValue).build();
    }

    private static int parseInt(String v) {
        return Integer.parseInt(v);
    }

    private static long parseLong(String v) {
        return Long.parseLong(v);
    }

    private static double parseDouble(String v) {
        return Double.parseDouble(v);
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false");
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String v) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected one of " + Arrays.toString(type.getEnumConstants()));
        }
    }

    private static final class Builder<T> {
        private final String key;
        private final String flag;
        private final String type;
        private final String description;
        private final Function<String, T> parser;
        private final Function<T, String> formatter;
        private T defaultValue;
        private String defaultText;
        private Predicate<T> valid;
        private String rule;

        Builder(String key, String flag, String type, String description, Function<String, T> parser,
                Function<T, String> formatter) {
            this.key = key;
            this.flag = flag;
            this.type = type;
            this.description = description;
            this.parser = parser;
            this.formatter = formatter;
        }

        Builder<T> defaultValue(T v) {
            defaultValue = v;
            return this;
        }

        Builder<T> defaultText(String v) {
            defaultText = v;
            return this;
        }

        Builder<T> rule(Predicate<T> v, String text) {
            valid = v;
            rule = text;
            return this;
        }

        Param<T> build() {
            return new Param<>(this);
        }
    }
}
