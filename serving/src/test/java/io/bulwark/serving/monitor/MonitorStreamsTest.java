package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The monitor's rules on synthetic streams where only one thing moves: the reference is 300 texts of ham and spam
 * about four topics; then 300 more of the same kind (stable), of three new topics (benign drift), or of the same
 * topics with the spam obfuscated (attack).
 */
class MonitorStreamsTest {

    private static final MonitorSettings SETTINGS = MonitorSettings.DEFAULTS.withWindows(300, 300);

    private static ModelMonitor afterReference() {
        ModelMonitor m = new ModelMonitor(SETTINGS);
        for (String t : SyntheticStreams.mixed(300, SyntheticStreams.HAM_TOPICS, SyntheticStreams.SPAM_TOPICS, 1)) {
            m.observe(TextProfile.of(t));
        }
        return m;
    }

    private static Assessment feed(ModelMonitor m, List<String> texts) {
        for (String t : texts) {
            m.observe(TextProfile.of(t));
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
        // the de-obfuscated vocabulary is the reference's: no token drift
        assertThat(value(a, "token_js")).isLessThan(SETTINGS.tokenJs());
    }

    @Test
    void bothWhenObfuscatedSpamArrivesWithNewTopics() {
        ModelMonitor m = afterReference();
        List<String> drift = SyntheticStreams.mixed(150, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 7);
        List<String> attack = SyntheticStreams.obfuscatedSpam(150, 8);
        for (int i = 0; i < 150; i++) {
            m.observe(TextProfile.of(drift.get(i)));
            m.observe(TextProfile.of(attack.get(i)));
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
        m.observe(TextProfile.of(texts.get(0)));
        assertThat(m.assess().status()).isEqualTo(Assessment.Status.STABLE);
    }

    @Test
    void rebaseliningAcceptsAShift() {
        ModelMonitor m = afterReference();
        assertThat(feed(m, SyntheticStreams.mixed(300, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 10))
                .status()).isEqualTo(Assessment.Status.SHIFTING);
        m.rebaseline();
        assertThat(m.windowSize(false)).isEqualTo(300);
        assertThat(m.windowSize(true)).isZero();
        assertThat(feed(m, SyntheticStreams.mixed(300, SyntheticStreams.NEW_TOPICS, SyntheticStreams.NEW_TOPICS, 11))
                .status()).isEqualTo(Assessment.Status.STABLE);
    }
}
