package io.bulwark.model.nn;

/**
 * The learner's only source of randomness: SplitMix64 (Steele, Lea and Flood 2014) with a single 64-bit state that
 * is saved in checkpoints, so a restored learner draws exactly the numbers an uninterrupted one would.
 *
 * <p>Every learner owns one, so learners in one JVM neither share nor disturb each other's streams (unlike the
 * engine's global seed).
 */
public final class SeededRandom {

    private long state;

    /** Creates a generator from a seed. */
    public SeededRandom(long seed) {
        this.state = seed;
    }

    /** The full internal state. */
    public long state() {
        return state;
    }

    /** Restores a state obtained from {@link #state()}. */
    public void setState(long state) {
        this.state = state;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform float in [0, 1). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Fills {@code out} with N(0, std^2) samples (Box-Muller, both values of each pair used). */
    public void fillGaussian(float[] out, double std) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - nextDouble(); // (0, 1]
            double u2 = nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1)) * std;
            double t = 2.0 * Math.PI * u2;
            out[i] = (float) (r * Math.cos(t));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * Math.sin(t));
            }
        }
    }

    /** Fills {@code out} with uniform samples in [-bound, bound). */
    public void fillUniform(float[] out, double bound) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((nextDouble() * 2.0 - 1.0) * bound);
        }
    }
}
