package io.bulwark.job.testutil;

import io.bulwark.avro.LabeledText;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A seeded generator of input values for the input topic: good LabeledText records mixed with random bytes,
 * mutated encodings (bit flips, overwritten, inserted and deleted bytes, cut or extended payloads, a corrupted
 * schema id or length prefix) and well-formed events with hostile fields (NaN, negative and huge weights, empty,
 * blank, over-long and odd Unicode texts, missing labels). The same seed gives the same records.
 */
public final class InputFuzzer {

    /** One generated value and whether it is an unmodified good record. */
    public record Fuzzed(byte[] value, boolean good, String kind) {
    }

    private final Random random;
    private final Function<LabeledText, byte[]> encoder;
    private final List<LabeledText> seeds;
    private long next;

    /** Creates a fuzzer that encodes events with {@code encoder} (the registry wire format). */
    public InputFuzzer(long seed, Function<LabeledText, byte[]> encoder) {
        this.random = new Random(seed);
        this.encoder = encoder;
        this.seeds = TestData.labeledTexts(null, "seed", 16, seed);
    }

    /** Returns {@code n} values, about {@code goodShare} of them unmodified good records. */
    public List<Fuzzed> generate(int n, double goodShare) {
        List<Fuzzed> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(random.nextDouble() < goodShare ? good() : bad());
        }
        return out;
    }

    /** Returns a good labeled record with a fresh id. */
    public Fuzzed good() {
        LabeledText e = seeds.get(random.nextInt(seeds.size()));
        LabeledText copy = LabeledText.newBuilder(e).setId("fz-" + next++).build();
        return new Fuzzed(encoder.apply(copy), true, "good");
    }

    private Fuzzed bad() {
        switch (random.nextInt(6)) {
            case 0:
                return new Fuzzed(randomBytes(random.nextInt(80)), false, "random");
            case 1:
                return new Fuzzed(mutate(encoder.apply(seeds.get(random.nextInt(seeds.size())))), false, "mutated");
            case 2:
                return new Fuzzed(withHeader(randomBytes(random.nextInt(60))), false, "random-body");
            case 3:
                return new Fuzzed(encoder.apply(hostile()), false, "hostile-fields");
            case 4:
                return new Fuzzed(lengthBomb(), false, "length-bomb");
            default:
                return new Fuzzed(random.nextBoolean() ? null : new byte[0], false, "empty");
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A valid header (magic byte, the schema id of a good record) in front of {@code body}. */
    private byte[] withHeader(byte[] body) {
        byte[] header = Arrays.copyOf(encoder.apply(seeds.get(0)), 5);
        byte[] out = Arrays.copyOf(header, 5 + body.length);
        System.arraycopy(body, 0, out, 5, body.length);
        return out;
    }

    /** A header and an id field whose zig-zag varint length claims about a gigabyte. */
    private byte[] lengthBomb() {
        byte[] body = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a', 'b'};
        return withHeader(body);
    }

    private byte[] mutate(byte[] b) {
        byte[] m = b.clone();
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            switch (random.nextInt(6)) {
                case 0 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> m[5 + random.nextInt(m.length - 5)] = (byte) random.nextInt(256);
                case 2 -> m = Arrays.copyOf(m, Math.max(0, m.length - 1 - random.nextInt(Math.max(1, m.length))));
                case 3 -> {
                    byte[] extra = randomBytes(1 + random.nextInt(16));
                    byte[] longer = Arrays.copyOf(m, m.length + extra.length);
                    System.arraycopy(extra, 0, longer, m.length, extra.length);
                    m = longer;
                }
                case 4 -> {
                    if (m.length >= 5) {
                        ByteBuffer.wrap(m).putInt(1, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(8));
                    }
                }
                default -> {
                    int at = m.length == 0 ? 0 : random.nextInt(m.length);
                    byte[] shorter = new byte[Math.max(0, m.length - 1)];
                    if (m.length > 0) {
                        System.arraycopy(m, 0, shorter, 0, at);
                        System.arraycopy(m, at + 1, shorter, at, m.length - at - 1);
                    }
                    m = shorter;
                }
            }
            if (m.length < 6) {
                break;
            }
        }
        return m;
    }

    private LabeledText hostile() {
        String[] texts = {"", " \t\n", "x".repeat(25_000), "\uD800 lone surrogate", "\u0000\u0001 controls",
            "zero\u200Bwidth", "emoji \uD83D\uDE00 text", "ok text"};
        Float[] weights = {null, Float.NaN, Float.POSITIVE_INFINITY, -1f, 0f, 1e30f, Float.MIN_VALUE, 2f};
        String[] labels = {null, "", "ham", "spam", "\uD83D\uDE00", "x".repeat(300)};
        return LabeledText.newBuilder().setId(random.nextBoolean() ? "h-" + next++ : "")
                .setText(random.nextInt(8) == 0 ? null : texts[random.nextInt(texts.length)])
                .setLabel(labels[random.nextInt(labels.length)])
                .setWeight(weights[random.nextInt(weights.length)])
                .setModelKey(random.nextInt(4) == 0 ? "" : null)
                .setEventTime(Instant.ofEpochMilli(random.nextInt(3) == 0 ? Long.MIN_VALUE / 2 : 1_700_000_000_000L))
                .build();
    }
}
