package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DiscreteAttackTest {

    /** Spam probability grows with the number of exact spam words. */
    private static final DiscreteAttack.Model KEYWORDS = new DiscreteAttack.Model() {
        @Override
        public double[][] probabilities(List<String> texts) {
            double[][] out = new double[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                int hits = 0;
                for (String w : texts.get(i).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                    if (w.equals("free") || w.equals("money") || w.equals("click")) {
                        hits++;
                    }
                }
                double spam = Math.min(0.95, 0.2 + 0.25 * hits);
                out[i] = new double[] {1 - spam, spam};
            }
            return out;
        }

        @Override
        public List<String> labels() {
            return List.of("ham", "spam");
        }
    };

    @Test
    void characterEditsEvadeAKeywordFilterWithinTheBudget() {
        DiscreteAttack a = DiscreteAttack.characters(3, 8, 64);
        DiscreteAttack.Outcome o = a.attack(KEYWORDS, "Get FREE money now, click here", "spam");
        assertThat(o.cleanCorrect()).isTrue();
        assertThat(o.robust()).isFalse();
        assertThat(o.edits()).isBetween(1, 3);
        assertThat(KEYWORDS.probabilities(List.of(o.adversarialText()))[0][1]).isLessThan(0.5);
        assertThat(o.adversarialText()).isNotEqualTo("Get FREE money now, click here");
    }

    @Test
    void budgetOfOneIsNotEnoughAgainstThreeKeywords() {
        DiscreteAttack.Outcome o = DiscreteAttack.words(1, 8, 64)
                .attack(KEYWORDS, "free money, click", "spam");
        assertThat(o.cleanCorrect()).isTrue();
        assertThat(o.robust()).as("one paraphrase leaves two keywords").isTrue();
        assertThat(o.edits()).isEqualTo(1);
    }

    @Test
    void onlyWordsTheModelReadsAreEdited() {
        DiscreteAttack.Outcome o = DiscreteAttack.characters(4, 8, 2)
                .attack(KEYWORDS, "hello there free money click", "spam");
        assertThat(o.robust()).isTrue();
        assertThat(o.edits()).isZero();
    }

    @Test
    void summaryCountsByClass() {
        DiscreteAttack a = DiscreteAttack.characters(3, 8, 64);
        List<DiscreteAttack.Outcome> out = new ArrayList<>();
        out.add(new DiscreteAttack.Outcome("spam", true, false, 2, 10, "x"));
        out.add(new DiscreteAttack.Outcome("spam", true, true, 3, 10, "y"));
        out.add(new DiscreteAttack.Outcome("ham", false, false, 0, 1, "z"));
        DiscreteAttack.Summary s = a.summarise(out);
        assertThat(s.spam()).isEqualTo(2);
        assertThat(s.cleanSpam()).isEqualTo(1.0);
        assertThat(s.robustSpam()).isEqualTo(0.5);
        assertThat(s.cleanHam()).isEqualTo(0.0);
        assertThat(s.meanEditsToFlip()).isEqualTo(2.0);
        assertThat(s.example()).isEqualTo("x");
    }

    @Test
    void editsLookLikeWhatSpammersWrite() {
        assertThat(TextEdits.apply(TextEdits.Kind.LEET, "free")).containsExactly("fr3e");
        assertThat(TextEdits.apply(TextEdits.Kind.HOMOGLYPH, "offer")).containsExactly("\u043Effer");
        assertThat(TextEdits.apply(TextEdits.Kind.INSERT, "viagra")).containsExactly("via.gra");
        assertThat(TextEdits.apply(TextEdits.Kind.DELETE, "credit")).containsExactly("crdit");
        assertThat(TextEdits.apply(TextEdits.Kind.WORD, "Free")).containsExactly("Complimentary", "No-cost");
        assertThat(TextEdits.apply(TextEdits.Kind.WORD, "zebra")).isEmpty();
        List<Integer> words = new ArrayList<>();
        List<String> pieces = TextEdits.pieces("Hi, free $$ money!", words);
        assertThat(String.join("", pieces)).isEqualTo("Hi, free $$ money!");
        assertThat(words).extracting(pieces::get).containsExactly("Hi", "free", "money");
    }
}
