package io.bulwark.model.attack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One attack's results over a set of examples, following TextAttack's summary (Morris et al. 2020).
 *
 * @param name the attack
 * @param examples examples evaluated (originally misclassified ones count as failures, not attacked)
 * @param cleanAccuracy share classified right before the attack
 * @param accuracy share still classified right after the attack ("accuracy under attack")
 * @param successRate share of the originally right examples whose label flipped
 * @param wordsPerturbed mean share of words edited, deleted or added, over successful attacks (NaN if none)
 * @param queries mean victim queries per attacked example (NaN for white-box attacks)
 */
public record AttackMetrics(String name, int examples, double cleanAccuracy, double accuracy, double successRate,
                            double wordsPerturbed, double queries) {

    /** The report form: accuracy, success_rate, words_perturbed, queries (non-finite values as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", examples);
        m.put("clean_accuracy", round(cleanAccuracy));
        m.put("accuracy", round(accuracy));
        m.put("success_rate", round(successRate));
        m.put("words_perturbed", round(wordsPerturbed));
        m.put("queries", round(queries));
        return m;
    }

    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e5) / 1e5 : null;
    }
}
