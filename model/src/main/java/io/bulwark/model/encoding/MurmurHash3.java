package io.bulwark.model.encoding;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3 x86 32-bit (Austin Appleby, public domain reference algorithm), over UTF-8 bytes.
 *
 * <p>Unlike {@link String#hashCode()} its values are fixed by the algorithm, so hashed feature ids are the same on
 * every JVM, platform and release; snapshots and serving's sticky A/B assignment depend on that.
 */
public final class MurmurHash3 {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private MurmurHash3() {}

    /** Hashes the UTF-8 encoding of {@code text} with {@code seed}. */
    public static int hash32(String text, int seed) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        return hash32(data, 0, data.length, seed);
    }

    /** Hashes {@code length} bytes of {@code data} from {@code offset} with {@code seed}. */
    public static int hash32(byte[] data, int offset, int length, int seed) {
        int h1 = seed;
        int roundedEnd = offset + (length & ~3);
        for (int i = offset; i < roundedEnd; i += 4) {
            int k1 = (data[i] & 0xff) | ((data[i + 1] & 0xff) << 8) | ((data[i + 2] & 0xff) << 16) | (data[i + 3] << 24);
            k1 *= C1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= C2;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int k1 = 0;
        switch (length & 3) {
            case 3:
                k1 = (data[roundedEnd + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 |= (data[roundedEnd + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 |= data[roundedEnd] & 0xff;
                k1 *= C1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= C2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }

    /** Maps {@code key} to a stable point in [0, 1), e.g. for sticky traffic assignment. */
    public static double unitInterval(String key, int seed) {
        return (hash32(key, seed) & 0xffffffffL) / 4294967296.0;
    }
}
