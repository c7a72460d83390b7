package io.bulwark.serving.monitor;

import io.bulwark.model.encoding.Deobfuscator;
import io.bulwark.serving.model.PooledEmbedder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The centroid distance of pooled word embeddings between the reference and the current window, under one fixed model
 * version, the <em>embedding version</em>.
 *
 * <p>The embedding version is the champion (arm A) when the reference window starts to fill; the monitor keeps its
 * own copy of that version's embedding table, so the statistic stays comparable while champions change and versions
 * are evicted. Re-baselining makes the champion of that moment the embedding version and embeds the texts that become
 * the new reference again under it. Texts are embedded de-obfuscated, as the other drift statistics read them, so an
 * obfuscated copy of familiar text does not move the centroid.
 *
 * <p>The statistic is the distance between the two centroids in units of its noise floor: {@code r = |m_c - m_r| /
 * sqrt(s_r / n_r + s_c / n_c)} with {@code s} the trace of a window's covariance. For two samples of one distribution
 * {@code E |m_c - m_r|^2 = s / n_r + s / n_c}, so {@code r} is about 1 without drift whatever the window sizes, the
 * embedding scale or the version. Not thread-safe.
 */
public final class EmbeddingDrift {

    /** The version whose embeddings the statistic uses. */
    public record Reference(long version, PooledEmbedder embedder) {}

    /**
     * The statistic now.
     *
     * @param version the embedding version (null before any embedder was available)
     * @param referenceTexts embedded texts in the reference window
     * @param currentTexts embedded texts in the current window
     * @param distance Euclidean distance between the centroids (NaN while a window is empty)
     * @param noiseFloor {@code sqrt(s_r / n_r + s_c / n_c)}, the root of the expected squared distance between two
     *     samples of one distribution of these sizes (NaN below two texts per window)
     * @param ratio {@code distance / noiseFloor} (NaN when either is undefined or the floor is 0)
     */
    public record Measure(Long version, int referenceTexts, int currentTexts, double distance, double noiseFloor,
                   double ratio) {

        Map<String, Object> toView() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", version);
            m.put("referenceTexts", referenceTexts);
            m.put("currentTexts", currentTexts);
            m.put("distance", finite(distance));
            m.put("noiseFloor", finite(noiseFloor));
            m.put("ratio", finite(ratio));
            return m;
        }
    }

    private final EmbeddingWindow reference;
    private final EmbeddingWindow current;
    private Reference version;

    EmbeddingDrift(int referenceTexts, int windowTexts) {
        this.reference = new EmbeddingWindow(referenceTexts);
        this.current = new EmbeddingWindow(windowTexts);
    }

    /**
     * Embeds a served text into the reference window until it is full, then into the current one. Without an
     * embedding version yet, {@code champion} supplies it; when it supplies none the text is skipped.
     */
    void observe(String raw, Supplier<Reference> champion) {
        if (version == null) {
            version = champion.get();
            if (version == null) {
                return;
            }
        }
        String text = Deobfuscator.normalize(raw.length() > TextProfile.MAX_CHARS
                ? raw.substring(0, TextProfile.MAX_CHARS) : raw);
        float[] v = version.embedder().embed(text);
        (reference.full() ? current : reference).add(text, v);
    }

    /**
     * Makes the current window the reference under {@code champion} (kept when null): its texts are embedded again
     * under that version; the current window is emptied.
     */
    void rebaseline(Reference champion) {
        reference.drain();
        var moved = current.drain();
        if (champion != null) {
            version = champion;
        }
        if (version == null) {
            return;
        }
        for (EmbeddingWindow.Entry e : moved) {
            reference.add(e.text(), version.embedder().embed(e.text()));
        }
    }

    /** Whether the reference window is full. */
    boolean referenceFull() {
        return reference.full();
    }

    /** The statistic on the windows as they are. */
    Measure measure() {
        Long v = version == null ? null : version.version();
        double[] a = reference.centroid();
        double[] b = current.centroid();
        if (a == null || b == null || a.length != b.length) {
            return new Measure(v, reference.size(), current.size(), Double.NaN, Double.NaN, Double.NaN);
        }
        double d2 = 0;
        for (int i = 0; i < a.length; i++) {
            d2 += (a[i] - b[i]) * (a[i] - b[i]);
        }
        double floor = Math.sqrt(reference.spread() / reference.size() + current.spread() / current.size());
        double distance = Math.sqrt(d2);
        double ratio = Double.isFinite(floor) && floor > 0 ? distance / floor : Double.NaN;
        return new Measure(v, reference.size(), current.size(), distance, floor, ratio);
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
