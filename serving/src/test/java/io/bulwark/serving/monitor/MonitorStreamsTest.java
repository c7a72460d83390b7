package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.serving.model.PooledEmbedder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The monitor's rules on synthetic streams where only one thing moves: the reference is 300 texts of ham and spam
 * about four topics; then 300 more of the same kind (stable), of three new topics (benign drift), or of the same
 * topics with the spam obfuscated (attack). Texts are embedded with a fixed random embedding table (a random
 * projection of the hashed words and n-grams) standing for a model version.
 */
class MonitorStreamsTest {

    private static final MonitorSettings SETTINGS = MonitorSettings.DEFAULTS.withWindows(300, 300);
    private static final EmbeddingDrift.Reference EMBEDDINGS = randomEmbeddings(7, 4096, 32);

    static EmbeddingDrift.Reference randomEmbeddings(long version, int buckets, int dim) {
        SplittableRandom rng = new SplittableRandom(version);
        float[] table = new float[buckets * dim];
        for (int i = dim; i < table.length; i++) {
            table[i] = (float) (rng.nextDouble(-1, 1) * Math.sqrt(3) * 0.1);
        }
        return new EmbeddingDrift.Reference(version,
                new PooledEmbedder(new HashingEncoder(buckets, 64, 3, 8), table, buckets, dim));
    }

    private static ModelMonitor afterReference() {
        ModelMonitor m = new ModelMonitor(SETTINGS);
        for (String t : SyntheticStreams.mixed(300, SyntheticStreams.HAM_TOPICS, SyntheticStreams.SPAM_TOPICS, 1)) {
            m.observe(TextProfile.of(t), t, () -> EMBEDDINGS);
        }
        return m;
    }

    private static Assessment feed(ModelMonitor m, List<String> texts) {
        for (String t : texts) {
            m.observe(TextProfile.of(t), t, () -> EMBEDDINGS);
        }
        return m.assess();
    }

    private static double value(Assessment a, String statistic) {
        return a.evidence().stream().filter(e -> e.name().equals(statistic)).findFirst().orElseThrow().value();
    }

    @Test
    void aStableStreamIsStable() {
        for (long seed : new long[] {2, 3, 4}) {
            Assessment a = feed(afterReference(),
                    SyntheticStreams.mixed(300, SyntheticStreams.HAM_TOPICS, SyntheticStreams.SPAM_TOPICS, seed));
            assertThat(a.status()).as("seed %d: %s", seed, a.toView()).isEqualTo(Assessment.Status.STABLE);
            assertThat(a.message()).isEqualTo("stable");
            assertThat(value(a, "token_js")).as("token JS, seed %d", seed).isLessThan(0.02);
            assertThat(value(a, "embedding_centroid_distance")).as("centroid distance, seed %d", seed)
                    .isLessThan(SETTINGS.embeddingDistance());
        }
    }

    @Test
    void newTopicVocabularyIsShiftingNotAttack() {
        Assessment a = feed(afterReference(),
                SyntheticStreams.mixed(300, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 5));
        assertThat(a.status()).as("%s", a.toView()).isEqualTo(Assessment.Status.SHIFTING);
        assertThat(a.shifting()).isTrue();
        assertThat(a.attack()).isFalse();
        assertThat(a.message()).startsWith("inputs are shifting (token_js ");
        assertThat(value(a, "token_js")).isGreaterThan(SETTINGS.tokenJs());
        assertThat(value(a, "embedding_centroid_distance")).isGreaterThan(SETTINGS.embeddingDistance());
        assertThat(value(a, "obfuscation_share_rise")).isLessThan(SETTINGS.obfuscationRise());
    }

    @Test
    void obfuscatedSpamOfTheSameTopicsIsAttackNotShifting() {
        Assessment a = feed(afterReference(), SyntheticStreams.obfuscatedSpam(300, 6));
        assertThat(a.status()).as("%s", a.toView()).isEqualTo(Assessment.Status.ATTACK);
        assertThat(a.attack()).isTrue();
        assertThat(a.shifting()).isFalse();
        assertThat(a.message()).startsWith("attack pressure is rising (");
        // half the texts are obfuscated spam: the share of obfuscated texts rises by about a half
        assertThat(value(a, "obfuscation_share_rise")).isGreaterThan(0.4);
        assertThat(value(a, "normalization_change_rise")).isGreaterThan(SETTINGS.normalizationRise());
        // the de-obfuscated vocabulary is the reference's: no token drift, the centroid stays
        assertThat(value(a, "token_js")).isLessThan(SETTINGS.tokenJs());
        assertThat(value(a, "embedding_centroid_distance")).isLessThan(SETTINGS.embeddingDistance());
    }

    @Test
    void bothWhenObfuscatedSpamArrivesWithNewTopics() {
        ModelMonitor m = afterReference();
        List<String> drift = SyntheticStreams.mixed(150, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 7);
        List<String> attack = SyntheticStreams.obfuscatedSpam(150, 8);
        for (int i = 0; i < 150; i++) {
            m.observe(TextProfile.of(drift.get(i)), drift.get(i), () -> EMBEDDINGS);
            m.observe(TextProfile.of(attack.get(i)), attack.get(i), () -> EMBEDDINGS);
        }
        Assessment a = m.assess();
        assertThat(a.status()).as("%s", a.toView()).isEqualTo(Assessment.Status.BOTH);
        assertThat(a.message()).startsWith("inputs are shifting and attack pressure is rising");
    }

    @Test
    void warmsUpUntilTheWindowsHoldEnough() {
        ModelMonitor m = new ModelMonitor(SETTINGS);
        List<String> texts = SyntheticStreams.mixed(399, SyntheticStreams.HAM_TOPICS, SyntheticStreams.SPAM_TOPICS, 9);
        Assessment a = feed(m, texts);
        assertThat(a.status()).isEqualTo(Assessment.Status.WARMING_UP);
        assertThat(a.message()).contains("300 of 300 reference texts", "99 of 100 current texts");
        assertThat(a.evidence()).isEmpty();
        m.observe(TextProfile.of(texts.get(0)), texts.get(0), () -> EMBEDDINGS);
        assertThat(m.assess().status()).isEqualTo(Assessment.Status.STABLE);
    }

    @Test
    void rebaseliningAcceptsAShift() {
        ModelMonitor m = afterReference();
        assertThat(feed(m, SyntheticStreams.mixed(300, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 10))
                .status()).isEqualTo(Assessment.Status.SHIFTING);
        EmbeddingDrift.Reference next = randomEmbeddings(8, 4096, 32);
        m.rebaseline(next);
        assertThat(m.windowSize(false)).isEqualTo(300);
        assertThat(m.windowSize(true)).isZero();
        // the new reference is embedded again under the champion of the moment
        assertThat(m.embeddingDistance().version()).isEqualTo(8L);
        assertThat(m.embeddingDistance().referenceTexts()).isEqualTo(300);
        Assessment a = feed(m, SyntheticStreams.mixed(300, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS,
                11));
        assertThat(a.status()).as("%s", a.toView()).isEqualTo(Assessment.Status.STABLE);
        assertThat(value(a, "embedding_centroid_distance")).isLessThan(SETTINGS.embeddingDistance());
    }

    @Test
    void theEmbeddingVersionStaysWhileChampionsChange() {
        ModelMonitor m = new ModelMonitor(SETTINGS);
        List<String> texts = SyntheticStreams.mixed(400, SyntheticStreams.HAM_TOPICS, SyntheticStreams.SPAM_TOPICS, 12);
        EmbeddingDrift.Reference later = randomEmbeddings(9, 4096, 32);
        for (int i = 0; i < texts.size(); i++) {
            // the champion changes after 100 texts: the embedding version chosen at the first text stays
            EmbeddingDrift.Reference champion = i < 100 ? EMBEDDINGS : later;
            m.observe(TextProfile.of(texts.get(i)), texts.get(i), () -> champion);
        }
        EmbeddingDrift.Measure e = m.embeddingDistance();
        assertThat(e.version()).isEqualTo(7L);
        assertThat(e.referenceTexts()).isEqualTo(300);
        assertThat(e.currentTexts()).isEqualTo(100);
        assertThat(e.ratio()).isLessThan(SETTINGS.embeddingDistance());
        assertThat(e.noiseFloor()).isPositive();
    }

    @Test
    void withoutEmbeddingsTheStatisticIsUndefinedAndNeverFires() {
        ModelMonitor m = new ModelMonitor(SETTINGS);
        for (String t : SyntheticStreams.mixed(400, SyntheticStreams.NEW_TOPICS, SyntheticStreams.HAM_TOPICS, 13)) {
            m.observe(TextProfile.of(t), t, () -> null);
        }
        Assessment.Evidence e = m.assess().evidence().stream()
                .filter(x -> x.name().equals("embedding_centroid_distance")).findFirst().orElseThrow();
        assertThat(e.value()).isNull();
        assertThat(e.fired()).isFalse();
        assertThat(m.embeddingDistance().version()).isNull();
    }
}
