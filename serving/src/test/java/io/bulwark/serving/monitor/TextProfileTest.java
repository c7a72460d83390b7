package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.attack.CharPerturbation;
import org.junit.jupiter.api.Test;

/** The obfuscation indicators and the normalisation change of one text, and the drift features it yields. */
class TextProfileTest {

    @Test
    void plainMailHasNoIndicatorAndNothingToUndo() {
        for (String t : new String[] {"Meeting moved to 10am in room 3, see www.example.com/agenda or mail bob@example.com",
            "Upgrade notes for mp3 players: iPhone and McDonald's receipts, total $120.", "Привет, как дела? Встреча завтра."}) {
            TextProfile p = TextProfile.of(t);
            assertThat(p.indicators()).as("indicators of '%s'", t).isZero();
            assertThat(p.obfuscated()).isFalse();
        }
        assertThat(TextProfile.of("Meeting moved to tuesday, see the agenda").normalizationChange()).isZero();
    }

    @Test
    void eachAttackFamilySetsItsIndicator() {
        assertThat(TextProfile.of("claim your " + CharPerturbation.HOMOGLYPH.apply("free", 1) + " prize")
                .has(TextProfile.Indicator.CONFUSABLE)).isTrue();
        assertThat(TextProfile.of("claim your " + CharPerturbation.ZERO_WIDTH.apply("free", 1) + " prize")
                .has(TextProfile.Indicator.ZERO_WIDTH)).isTrue();
        assertThat(TextProfile.of("claim your " + CharPerturbation.SEPARATOR.apply("free", 1) + " prize")
                .has(TextProfile.Indicator.SEPARATOR)).isTrue();
        assertThat(TextProfile.of("claim your f r e e prize").has(TextProfile.Indicator.SEPARATOR)).isTrue();
        assertThat(TextProfile.of("cheap " + CharPerturbation.LEET.apply("viagra", 1) + " today")
                .has(TextProfile.Indicator.LEET)).isTrue();
        assertThat(TextProfile.of("totally fr33 money").has(TextProfile.Indicator.LEET)).isTrue();
        // the normaliser's known cost: a product name with a trailing number reads as leetspeak, as it does there
        assertThat(TextProfile.of("Win10 upgrade").has(TextProfile.Indicator.LEET)).isTrue();
        assertThat(TextProfile.of("claim your " + CharPerturbation.CASE.apply("prize", 1) + " now")
                .has(TextProfile.Indicator.CASE)).isTrue();
    }

    @Test
    void normalizationChangeIsTheShareOfWordsDeobfuscationRewrote() {
        // four words; "fr33" and "c@sh" become "free" and "cash", which the plain normalisation never produces
        TextProfile p = TextProfile.of("get fr33 c@sh now");
        assertThat(p.normalizationChange()).isEqualTo(0.5);
        // the drift features see the de-obfuscated words: the same buckets as the clean text
        assertThat(p.buckets()).containsExactly(TextProfile.of("get free cash now").buckets());
    }

    @Test
    void lengthBinsAreLogTwo() {
        assertThat(TextProfile.lengthBin(0)).isZero();
        assertThat(TextProfile.lengthBin(15)).isZero();
        assertThat(TextProfile.lengthBin(16)).isEqualTo(1);
        assertThat(TextProfile.lengthBin(63)).isEqualTo(2);
        assertThat(TextProfile.lengthBin(1_000_000)).isEqualTo(TextProfile.LENGTH_BINS - 1);
    }
}
