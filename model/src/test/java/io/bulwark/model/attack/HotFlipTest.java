package io.bulwark.model.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Learner;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HotFlipTest {

    private static final List<String> CANDIDATES =
            List.of("meeting", "report", "lunch", "schedule", "project", "invoice");

    private static Learner trained() {
        Learner learner = Learner.create(SyntheticData.small().optLabels(List.of("ham", "spam")).optSeed(3)
                .optStrategy(io.bulwark.model.LearnerConfig.StrategyType.NATURAL)
                .optContinual(io.bulwark.model.ContinualConfig.OFF).build());
        List<Example> data = SyntheticData.keywordTask(640, 5);
        for (int i = 0; i < data.size(); i += 16) {
            learner.train(data.subList(i, i + 16));
        }
        return learner;
    }

    /** The chosen edit has a positive first-order gain, and applying it raises the network's loss. */
    @Test
    void aHotFlipEditRaisesTheLossToFirstOrder() {
        try (Learner learner = trained()) {
            List<String> spam = List.of("w1 w2 viagra w3 w4", "lottery w10 w11 w12", "w5 casino w6 winner w7",
                    "w20 w21 prize w22 w23 w24");
            int raised = 0;
            for (String text : spam) {
                Learner.Flip flip = learner.bestFlip(text, "spam", CANDIDATES, Set.of());
                assertThat(flip).isNotNull();
                assertThat(flip.gain()).as("first-order gain of %s", flip).isPositive();
                assertThat(CANDIDATES).contains(flip.replacement());
                String edited = text.replaceFirst("\\b" + flip.original() + "\\b", flip.replacement());
                if (learner.networkLoss(edited, "spam") > learner.networkLoss(text, "spam")) {
                    raised++;
                }
            }
            assertThat(raised).as("edits that raised the loss").isEqualTo(spam.size());
        }
    }

    /** Frozen positions are never chosen again, and no candidate equal to the word it replaces is proposed. */
    @Test
    void frozenPositionsAreSkipped() {
        try (Learner learner = trained()) {
            String text = "viagra";
            assertThat(learner.bestFlip(text, "spam", CANDIDATES, Set.of(0))).isNull();
            Learner.Flip flip = learner.bestFlip(text, "spam", CANDIDATES, Set.of());
            assertThat(flip.position()).isZero();
            assertThat(flip.original()).isEqualTo("viagra");
        }
    }

    /** Against the learner, substituting ham words for the spam keywords flips the label within the budget. */
    @Test
    void theAttackFlipsWithinItsBudgetAndCountsWhatItChanged() {
        try (Learner learner = trained()) {
            List<Example> train = SyntheticData.keywordTask(400, 9);
            GoodWords goodWords = GoodWords.counter().add(train).build(6, 5);
            Victim victim = Victim.of(learner);
            int spam = victim.labels().indexOf("spam");
            String text = "w1 viagra w2 w3";
            assertThat(victim.predict(List.of(text))[0]).isEqualTo(spam);
            Attack.Outcome o = new HotFlipAttack(learner, goodWords, 6, 3)
                    .attack(new Target(text, spam, 1, 64), victim);
            assertThat(o.success()).isTrue();
            assertThat(o.wordsPerturbed()).isBetween(1, 3);
            assertThat(o.queries()).isEqualTo(o.wordsPerturbed());
            assertThat(victim.predict(List.of(o.text()))[0]).isNotEqualTo(spam);
        }
    }
}
