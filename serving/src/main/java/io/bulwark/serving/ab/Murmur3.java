package io.bulwark.serving.ab;

import java.nio.charset.StandardCharsets;

/** MurmurHash3 x86_32 (Austin Appleby, public domain), used for stable, sticky traffic assignment. */
public final class Murmur3 {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {}

    /** Hashes the UTF-8 bytes of {@code key} with {@code seed}. */
    public static int hash32(String key, int seed) {
        return hash32(key.getBytes(StandardCharsets.UTF_8), seed);
    }

    /** Hashes {@code data} with {@code seed}. */
    public static int hash32(byte[] data, int seed) {
        int h = seed;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            int o = i * 4;
            int k = (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16 | (data[o + 3] & 0xff) << 24;
            k *= C1;
            k = Integer.rotateLeft(k, 15);
            k *= C2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int tail = blocks * 4;
        int k = 0;
        switch (data.length & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[tail] & 0xff;
                k *= C1;
                k = Integer.rotateLeft(k, 15);
                k *= C2;
                h ^= k;
            // fall through
            default:
                break;
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** Maps {@code key} to a stable point in [0, 1). */
    public static double unitInterval(String key, int seed) {
        return (hash32(key, seed) & 0xffffffffL) / 4294967296.0;
    }
}
