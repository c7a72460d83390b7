package io.bulwark.model.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.attack.CharPerturbation;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeobfuscatorTest {

    private static String norm(String s) {
        return Deobfuscator.normalize(s);
    }

    @Test
    void eachObfuscationFamilyMapsBack() {
        assertThat(norm("FrEe MONEY")).isEqualTo("free money");
        assertThat(norm("f.r.e.e m-o-n-e-y c_a_s_h")).isEqualTo("free money cash");
        assertThat(norm("get f r e e stuff")).isEqualTo("get free stuff");
        assertThat(norm("f\u200Br\u200Be\u200Be c\u00ADash w\u2060in")).isEqualTo("free cash win");
        assertThat(norm("frее саsh")).as("Cyrillic е, с, а").isEqualTo("free cash");
        assertThat(norm("ΡΑΥ now")).as("Greek capitals").isEqualTo("pay now");
        assertThat(norm("ｆｒｅｅ ｖｉａｇｒａ")).as("fullwidth").isEqualTo("free viagra");
        assertThat(norm("v1agra m0n3y c@sh fr33 ca$h h4x0r")).isEqualTo("viagra money cash free cash haxor");
    }

    @Test
    void theAttackSuitesEditsAreUndone() {
        List<String> words = List.of("free", "money", "viagra", "cash", "offer", "winner", "prize", "Mortgage");
        for (CharPerturbation p : List.of(CharPerturbation.LEET, CharPerturbation.HOMOGLYPH,
                CharPerturbation.SEPARATOR, CharPerturbation.ZERO_WIDTH, CharPerturbation.CASE)) {
            for (String w : words) {
                String attacked = p.apply(w, 7);
                assertThat(attacked).as("%s changes %s", p, w).isNotEqualTo(w);
                assertThat(norm("buy " + attacked + " today")).as("%s of %s: %s", p, w, attacked)
                        .isEqualTo("buy " + w.toLowerCase() + " today");
            }
        }
    }

    @Test
    void ordinaryTextKeepsTodaysNormalisation() {
        List<String> texts = List.of(
                "Meeting at 10am on 2024-05-03, see http://example.com/a.b.c/x-y-z or mail john.doe@example.org.",
                "Version 1.2.3 costs $100 (e.g. in the U.S. store); mp3 and win98 files, covid19, 3d printing.",
                "I am a test of Plan B at www.a.b.c.org",
                "Привет, как дела? Αθήνα, Θεσσαλονίκη.",
                "  Tabs\tand\n\nnewlines   collapse  ",
                "user@host.com wrote: >> quoted text",
                "");
        for (String t : texts) {
            assertThat(norm(t)).as(t).isEqualTo(TextNormalizer.normalize(t));
        }
    }

    @Test
    void numbersAndAddressesAreNotMangled() {
        assertThat(norm("2024 1337 $500 50mg 10am")).isEqualTo("2024 1337 $500 50mg 10am");
        assertThat(norm("http://fr33.example.com/v1agra")).isEqualTo("http://fr33.example.com/v1agra");
        assertThat(norm("Contact: s4les@sh0p.example")).isEqualTo("contact: s4les@sh0p.example");
    }

    @Test
    void basicNormalizationIsTodaysNormalizer() {
        String t = "F.R.E.E v1agra";
        assertThat(Normalization.BASIC.apply(t)).isEqualTo(TextNormalizer.normalize(t)).isEqualTo("f.r.e.e v1agra");
        assertThat(Normalization.DEOBFUSCATE.apply(t)).isEqualTo("free viagra");
    }
}
