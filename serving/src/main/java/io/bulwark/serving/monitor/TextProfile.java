package io.bulwark.serving.monitor;

import io.bulwark.model.encoding.Deobfuscator;
import io.bulwark.model.encoding.MurmurHash3;
import io.bulwark.model.encoding.TextNormalizer;
import io.bulwark.model.encoding.Tokenizer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the monitor keeps of one served text: the drift features of its de-obfuscated form (hashed word buckets,
 * length, character classes) and the attack features of its raw form (obfuscation indicators, and the share of its
 * words that de-obfuscation rewrote).
 *
 * <p>Drift features are computed on {@link Deobfuscator#normalize} output, the text the model reads, so that an
 * obfuscated copy of familiar text does not count as new vocabulary; attack features measure exactly what that
 * normalisation had to undo.
 *
 * @param buckets hashed word tokens of the de-obfuscated text (at most {@link #MAX_TOKENS})
 * @param lengthBin bin of the de-obfuscated length in characters ({@link #LENGTH_BINS} log2 bins)
 * @param charClasses characters of the de-obfuscated text per {@link CharClass}
 * @param indicators bit {@code i} set when {@link Indicator} {@code i} occurs in the raw text
 * @param normalizationChange share of de-obfuscated word tokens that the plain normalisation does not produce
 */
public record TextProfile(int[] buckets, int lengthBin, int[] charClasses, int indicators, double normalizationChange) {

    /** Hash buckets of the word-frequency histogram. */
    public static final int BUCKETS = 512;
    /** Length bins: [0, 16), [16, 32), ..., [8192, inf) characters. */
    public static final int LENGTH_BINS = 11;
    /** Word tokens of one text that enter the histogram. */
    static final int MAX_TOKENS = 256;
    /** Characters of one text the monitor reads (longer texts are cut). */
    static final int MAX_CHARS = 4000;
    private static final int HASH_SEED = 0x6d6f6e69;

    /** Character classes of the de-obfuscated text. */
    public enum CharClass {
        /** ASCII letters. */
        ASCII_LETTER,
        /** Letters outside ASCII. */
        OTHER_LETTER,
        /** Digits. */
        DIGIT,
        /** Punctuation and symbols (anything else but spaces). */
        SYMBOL
    }

    /** Obfuscation indicators of the raw text. */
    public enum Indicator {
        /** A word mixing Latin letters with Cyrillic/Greek look-alikes ({@code frее} with Cyrillic е). */
        CONFUSABLE("confusable"),
        /** A zero-width or invisible character. */
        ZERO_WIDTH("zero_width"),
        /** Single letters joined by a repeated separator or by spaces ({@code f.r.e.e}, {@code f r e e}). */
        SEPARATOR("separator"),
        /** Digits or {@code @ $} between letters of a word, or trailing after letters ({@code v1agra}, {@code fr33}). */
        LEET("leet"),
        /** Alternating case inside a word of four letters or more ({@code FrEe}). */
        CASE("case");

        private final String tag;

        Indicator(String tag) {
            this.tag = tag;
        }

        /** The metric tag and JSON key. */
        public String tag() {
            return tag;
        }
    }

    private static final Pattern SEPARATED = Pattern.compile(
            "(?<![\\p{L}\\p{N}])\\p{L}([.\\-_*·•|/+~,:'])\\p{L}(?:\\1\\p{L})+(?![\\p{L}\\p{N}])");
    private static final Pattern SPACED = Pattern.compile("(?<![\\p{L}\\p{N}])\\p{L}(?: \\p{L}){3,}(?![\\p{L}\\p{N}])");
    private static final Pattern LEET_INNER = Pattern.compile("\\p{L}[013457@$]+\\p{L}");
    private static final Pattern LEET_TRAILING = Pattern.compile("\\p{L}{2}[013457@$]{2,}(?![\\p{L}\\p{N}])");

    /** The profile of {@code raw}. */
    public static TextProfile of(String raw) {
        String text = raw.length() > MAX_CHARS ? raw.substring(0, MAX_CHARS) : raw;
        String deobfuscated = Deobfuscator.normalize(text);
        List<Tokenizer.Token> tokens = Tokenizer.tokenize(deobfuscated, MAX_TOKENS);
        int words = 0;
        int[] buckets = new int[tokens.size()];
        Set<String> plainWords = words(TextNormalizer.normalize(text));
        int rewritten = 0;
        for (Tokenizer.Token t : tokens) {
            if (t.word()) {
                buckets[words++] = Math.floorMod(MurmurHash3.hash32(t.text(), HASH_SEED), BUCKETS);
                if (!plainWords.contains(t.text())) {
                    rewritten++;
                }
            }
        }
        int[] classes = new int[CharClass.values().length];
        deobfuscated.codePoints().forEach(cp -> {
            if (Character.isLetter(cp)) {
                classes[cp < 0x80 ? CharClass.ASCII_LETTER.ordinal() : CharClass.OTHER_LETTER.ordinal()]++;
            } else if (Character.isDigit(cp)) {
                classes[CharClass.DIGIT.ordinal()]++;
            } else if (!Character.isWhitespace(cp)) {
                classes[CharClass.SYMBOL.ordinal()]++;
            }
        });
        return new TextProfile(java.util.Arrays.copyOf(buckets, words), lengthBin(deobfuscated.length()), classes,
                indicators(text), words == 0 ? 0.0 : (double) rewritten / words);
    }

    /** Whether indicator {@code i} is set. */
    public boolean has(Indicator i) {
        return (indicators & (1 << i.ordinal())) != 0;
    }

    /** Whether any obfuscation indicator is set. */
    public boolean obfuscated() {
        return indicators != 0;
    }

    static int lengthBin(int chars) {
        int bin = 0;
        int edge = 16;
        while (bin < LENGTH_BINS - 1 && chars >= edge) {
            bin++;
            edge <<= 1;
        }
        return bin;
    }

    private static Set<String> words(String normalized) {
        Set<String> out = new HashSet<>();
        for (Tokenizer.Token t : Tokenizer.tokenize(normalized, MAX_TOKENS * 4)) {
            if (t.word()) {
                out.add(t.text());
            }
        }
        return out;
    }

    /** The obfuscation indicators of {@code text} as a bit set over {@link Indicator}. */
    static int indicators(String text) {
        int bits = 0;
        boolean latinText = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80 && Character.isLetter(c)) {
                latinText = true;
            }
            if (Deobfuscator.isInvisible(c)) {
                bits |= bit(Indicator.ZERO_WIDTH);
            }
        }
        if (SPACED.matcher(text).find()) {
            bits |= bit(Indicator.SEPARATOR);
        }
        for (String chunk : text.split("\\s+")) {
            if (chunk.isEmpty() || Deobfuscator.looksLikeAddress(chunk)) {
                continue;
            }
            if (SEPARATED.matcher(chunk).find()) {
                bits |= bit(Indicator.SEPARATOR);
            }
            if (LEET_INNER.matcher(chunk).find() || LEET_TRAILING.matcher(chunk).find()) {
                bits |= bit(Indicator.LEET);
            }
            bits |= wordIndicators(chunk, latinText);
        }
        return bits;
    }

    /** Confusable and case indicators of the letter runs of one chunk. */
    private static int wordIndicators(String chunk, boolean latinText) {
        int bits = 0;
        int[] cps = chunk.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            if (!Character.isLetter(cps[i])) {
                i++;
                continue;
            }
            int start = i;
            boolean latin = false;
            boolean allConfusable = true;
            boolean anyConfusable = false;
            int switches = 0;
            while (i < cps.length && Character.isLetter(cps[i])) {
                boolean conf = Deobfuscator.isConfusable(cps[i]);
                anyConfusable |= conf;
                latin |= cps[i] < 0x80;
                allConfusable &= conf;
                if (i > start && Character.isUpperCase(cps[i]) != Character.isUpperCase(cps[i - 1])) {
                    switches++;
                }
                i++;
            }
            int length = i - start;
            if (anyConfusable && (latin || (allConfusable && latinText && length >= 2))) {
                bits |= bit(Indicator.CONFUSABLE);
            }
            if (length >= 4 && switches >= length - 1) {
                bits |= bit(Indicator.CASE);
            }
        }
        return bits;
    }

    private static int bit(Indicator i) {
        return 1 << i.ordinal();
    }
}
