package io.bulwark.model.encoding;

import java.util.Locale;

/** How text is normalised before tokenisation (config key {@code encoder.normalization}). */
public enum Normalization {
    /** {@link TextNormalizer}: NFKC, lower case, whitespace collapsed. The behaviour of models saved before the key. */
    BASIC,
    /** BASIC plus {@link Deobfuscator}: confusables folded, zero-width characters and in-word separators removed, leetspeak undone. */
    DEOBFUSCATE;

    /** Normalises {@code text} this way. */
    public String apply(String text) {
        return this == BASIC ? TextNormalizer.normalize(text) : Deobfuscator.normalize(text);
    }

    /** Parses a name case-insensitively. */
    public static Normalization parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
