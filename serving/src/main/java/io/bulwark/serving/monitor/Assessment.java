package io.bulwark.serving.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The monitor's verdict on a model's served inputs: whether they are shifting, whether attack pressure is rising,
 * the plain-words status line, and every statistic behind it with its threshold.
 *
 * <p>The rules, applied once the reference window is full and the current window holds the minimum:
 * <ul>
 *   <li><b>inputs are shifting</b> when any drift statistic of the de-obfuscated texts passes its threshold: the
 *       bias-corrected Jensen–Shannon divergence of the word buckets, the PSI of the length histogram, the PSI of
 *       the character-class mix, or the centroid distance of the pooled word embeddings in units of its noise floor
 *       ({@link EmbeddingDrift});
 *   <li><b>attack pressure is rising</b> when the share of texts with an obfuscation indicator rises by at least
 *       its threshold, or the mean share of words that de-obfuscation rewrote does, each with a z statistic of at
 *       least {@link MonitorSettings#minZ()}.
 * </ul>
 */
public record Assessment(Status status, boolean shifting, boolean attack, String message, List<Evidence> evidence) {

    /** The status. */
    public enum Status {
        /** Not enough served texts yet. */
        WARMING_UP("warming up"),
        /** No rule fired. */
        STABLE("stable"),
        /** A drift rule fired, no attack rule. */
        SHIFTING("inputs are shifting"),
        /** An attack rule fired, no drift rule. */
        ATTACK("attack pressure is rising"),
        /** Both. */
        BOTH("inputs are shifting and attack pressure is rising");

        private final String words;

        Status(String words) {
            this.words = words;
        }

        /** The plain-words status line. */
        public String words() {
            return words;
        }
    }

    /**
     * One statistic behind the status.
     *
     * @param signal "drift" or "attack"
     * @param name the statistic
     * @param value its value (null when undefined)
     * @param threshold the value at or above which the rule fires
     * @param z the z statistic of a rise (null for drift statistics)
     * @param fired whether the rule fired
     * @param reference the reference window's value, for rises (null otherwise)
     * @param detail what else the statistic rests on (for the embedding distance: version, raw distance, noise
     *     floor), empty for the others
     */
    public record Evidence(String signal, String name, Double value, double threshold, Double z, boolean fired,
                           Double reference, Map<String, Object> detail) {

        /** A JSON-friendly view. */
        public Map<String, Object> toView() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signal", signal);
            m.put("statistic", name);
            m.put("value", value);
            m.put("threshold", threshold);
            if (reference != null) {
                m.put("reference", reference);
            }
            if (z != null) {
                m.put("z", z);
            }
            m.put("fired", fired);
            m.putAll(detail);
            return m;
        }
    }

    /** Applies the rules to a full reference window and a current window. */
    static Assessment of(InputWindow reference, InputWindow current, EmbeddingDrift.Measure embedding,
                         MonitorSettings s) {
        List<Evidence> ev = new ArrayList<>();
        ev.add(drift("token_js", DriftStatistics.excessJensenShannon(reference.buckets(), current.buckets()),
                s.tokenJs()));
        ev.add(drift("length_psi", DriftStatistics.psi(reference.lengths(), current.lengths()), s.lengthPsi()));
        ev.add(drift("char_class_psi", DriftStatistics.psi(reference.classes(), current.classes()), s.charClassPsi()));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("embeddingVersion", embedding.version());
        detail.put("distance", Double.isFinite(embedding.distance()) ? embedding.distance() : null);
        detail.put("noiseFloor", Double.isFinite(embedding.noiseFloor()) ? embedding.noiseFloor() : null);
        detail.put("texts", List.of(embedding.referenceTexts(), embedding.currentTexts()));
        ev.add(drift("embedding_centroid_distance", embedding.ratio(), s.embeddingDistance(), detail));
        double refShare = (double) reference.obfuscated() / reference.size();
        double curShare = (double) current.obfuscated() / current.size();
        double shareZ = DriftStatistics.proportionZ(reference.obfuscated(), reference.size(), current.obfuscated(),
                current.size());
        ev.add(rise("obfuscation_share_rise", refShare, curShare, shareZ, s.obfuscationRise(), s.minZ()));
        DriftStatistics.Moments rc = reference.change();
        DriftStatistics.Moments cc = current.change();
        ev.add(rise("normalization_change_rise", rc.mean(), cc.mean(), DriftStatistics.meanZ(rc, cc),
                s.normalizationRise(), s.minZ()));
        boolean shifting = ev.stream().anyMatch(e -> e.signal().equals("drift") && e.fired());
        boolean attack = ev.stream().anyMatch(e -> e.signal().equals("attack") && e.fired());
        Status status = shifting && attack ? Status.BOTH : shifting ? Status.SHIFTING : attack ? Status.ATTACK
                : Status.STABLE;
        return new Assessment(status, shifting, attack, message(status, ev), List.copyOf(ev));
    }

    /** The verdict before the windows hold enough texts. */
    static Assessment warmingUp(int reference, int current, MonitorSettings s) {
        String m = String.format(Locale.ROOT, "warming up: %d of %d reference texts, %d of %d current texts needed",
                Math.min(reference, s.referenceTexts()), s.referenceTexts(), current, s.minWindowTexts());
        return new Assessment(Status.WARMING_UP, false, false, m, List.of());
    }

    private static Evidence drift(String name, double value, double threshold) {
        return drift(name, value, threshold, Map.of());
    }

    private static Evidence drift(String name, double value, double threshold, Map<String, Object> detail) {
        boolean fired = Double.isFinite(value) && value >= threshold;
        return new Evidence("drift", name, Double.isFinite(value) ? value : null, threshold, null, fired, null,
                detail);
    }

    private static Evidence rise(String name, double reference, double current, double z, double threshold,
                                 double minZ) {
        double rise = current - reference;
        boolean fired = Double.isFinite(rise) && rise >= threshold && z >= minZ;
        return new Evidence("attack", name, Double.isFinite(rise) ? rise : null, threshold,
                Double.isFinite(z) ? z : null, fired, Double.isFinite(reference) ? reference : null, Map.of());
    }

    private static String message(Status status, List<Evidence> ev) {
        List<String> why = new ArrayList<>();
        for (Evidence e : ev) {
            if (e.fired()) {
                why.add(String.format(Locale.ROOT, "%s %.3f >= %.3f", e.name(), e.value(), e.threshold()));
            }
        }
        return why.isEmpty() ? status.words() : status.words() + " (" + String.join(", ", why) + ")";
    }

    /** A JSON-friendly view. */
    public Map<String, Object> toView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status.name().toLowerCase(Locale.ROOT));
        m.put("line", status.words());
        m.put("message", message);
        m.put("shifting", shifting);
        m.put("attack", attack);
        m.put("evidence", evidence.stream().map(Evidence::toView).toList());
        return m;
    }
}
