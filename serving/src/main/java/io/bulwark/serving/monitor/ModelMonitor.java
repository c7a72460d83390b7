package io.bulwark.serving.monitor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The served inputs and answers of one model: a reference window (the first texts served, then frozen), a current
 * window (the most recent texts after it, sliding), the pooled embeddings of both under one version
 * ({@link EmbeddingDrift}), and per version a window of its answers' confidences. Applies the rules of
 * {@link Assessment}. Thread-safe.
 */
public final class ModelMonitor {

    /** Versions whose answer windows are kept; the least recently answering one leaves first. */
    static final int MAX_VERSIONS = 8;

    private final MonitorSettings settings;
    private final InputWindow reference;
    private final InputWindow current;
    private final EmbeddingDrift embeddings;
    private final Map<Long, ScoreWindow> versions = new HashMap<>();
    private long texts;
    private long tick;
    private long rebaselines;

    /** A monitor with {@code settings}' windows. */
    public ModelMonitor(MonitorSettings settings) {
        this.settings = settings;
        this.reference = new InputWindow(settings.referenceTexts());
        this.current = new InputWindow(settings.windowTexts());
        this.embeddings = new EmbeddingDrift(settings.referenceTexts(), settings.windowTexts());
    }

    /** Adds a served text's profile (no embedding): to the reference window until it is full, then to the current. */
    public synchronized void observe(TextProfile profile) {
        texts++;
        if (!reference.full()) {
            reference.add(profile);
        } else {
            current.add(profile);
        }
    }

    /**
     * Adds a served text: its profile as {@link #observe(TextProfile)}, and its pooled embedding under the embedding
     * version, which {@code champion} supplies while there is none (the champion's version and embedder, or null).
     */
    public synchronized void observe(TextProfile profile, String text, Supplier<EmbeddingDrift.Reference> champion) {
        observe(profile);
        embeddings.observe(text, champion);
    }

    /** Adds the confidence (largest class probability) of one answer of {@code version}. */
    public synchronized void observeAnswer(long version, double confidence) {
        ScoreWindow w = versions.get(version);
        if (w == null) {
            if (versions.size() >= MAX_VERSIONS) {
                versions.entrySet().stream().min((a, b) -> Long.compare(a.getValue().lastUsed(),
                        b.getValue().lastUsed())).ifPresent(e -> versions.remove(e.getKey()));
            }
            w = new ScoreWindow(settings.windowTexts());
            versions.put(version, w);
        }
        w.add(confidence, ++tick);
    }

    /** Drops the answers of an evicted version. */
    public synchronized void forget(long version) {
        versions.remove(version);
    }

    /**
     * Makes the current window the new reference (an accepted shift): the reference is emptied and refilled with the
     * current texts, then with the next ones served.
     */
    public synchronized void rebaseline() {
        rebaseline(null);
    }

    /**
     * As {@link #rebaseline()}, and the pooled embeddings are taken under {@code champion} from now on (kept when
     * null): the texts that become the reference are embedded again under it.
     */
    public synchronized void rebaseline(EmbeddingDrift.Reference champion) {
        reference.clear();
        reference.takeAll(current);
        embeddings.rebaseline(champion);
        rebaselines++;
    }

    /** The centroid distance of the pooled embeddings now. */
    public synchronized EmbeddingDrift.Measure embeddingDistance() {
        return embeddings.measure();
    }

    /** The verdict on the windows as they are now. */
    public synchronized Assessment assess() {
        if (!reference.full() || current.size() < settings.minWindowTexts()) {
            return Assessment.warmingUp(reference.size(), current.size(), settings);
        }
        return Assessment.of(reference, current, embeddings.measure(), settings);
    }

    /** The settings. */
    public MonitorSettings settings() {
        return settings;
    }

    /**
     * One version's label-free estimate on its recent served answers.
     *
     * @param answers served answers in its window
     * @param estimatedAccuracy mean calibrated confidence of those answers (NaN without calibration or answers)
     * @param confidencePsi PSI of their confidence bins against the version's canary answers (NaN without either)
     * @param calibrationExamples canary answers the calibration rests on
     * @param canaryAccuracy the version's clean canary accuracy (NaN without calibration)
     */
    public record Estimate(int answers, double estimatedAccuracy, double confidencePsi, long calibrationExamples,
                           double canaryAccuracy) {}

    /** The estimate of {@code version} with its canary calibration (null: not calibrated yet). */
    public synchronized Estimate estimate(long version, Calibration calibration) {
        ScoreWindow w = versions.get(version);
        int n = w == null ? 0 : w.size();
        if (calibration == null) {
            return new Estimate(n, Double.NaN, Double.NaN, 0, Double.NaN);
        }
        double expected = w == null ? Double.NaN : calibration.expectedAccuracy(w.counts());
        double psi = w == null ? Double.NaN : DriftStatistics.psi(calibration.counts(), w.counts());
        return new Estimate(n, expected, psi, calibration.n(), calibration.canaryAccuracy());
    }

    /** Sizes and obfuscation shares of both windows. */
    public synchronized Map<String, Object> windowsView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("textsSeen", texts);
        m.put("rebaselines", rebaselines);
        m.put("reference", window(reference, settings.referenceTexts()));
        m.put("current", window(current, settings.windowTexts()));
        m.put("embedding", embeddings.measure().toView());
        return m;
    }

    /** Share of texts with an obfuscation indicator in the reference or current window (NaN when empty). */
    public synchronized double obfuscationShare(boolean currentWindow, TextProfile.Indicator indicator) {
        InputWindow w = currentWindow ? current : reference;
        if (w.size() == 0) {
            return Double.NaN;
        }
        return (double) (indicator == null ? w.obfuscated() : w.count(indicator)) / w.size();
    }

    /** Mean share of words de-obfuscation rewrote in the reference or current window (NaN when empty). */
    public synchronized double normalizationChange(boolean currentWindow) {
        return (currentWindow ? current : reference).change().mean();
    }

    /** Texts in the reference or current window. */
    public synchronized int windowSize(boolean currentWindow) {
        return (currentWindow ? current : reference).size();
    }

    private static Map<String, Object> window(InputWindow w, int capacity) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("texts", w.size());
        m.put("capacity", capacity);
        m.put("obfuscationShare", w.shares());
        double change = w.change().mean();
        m.put("normalizationChange", Double.isFinite(change) ? change : null);
        return m;
    }
}
