package io.bulwark.model.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttackSuiteTest {

    /** Spam iff the text contains the word "viagra" or "lottery", unless it also has both "meeting" and "report". */
    static final class KeywordVictim extends Victim.Counting {
        KeywordVictim() {
            super(List.of("ham", "spam"));
        }

        @Override
        protected double[][] score(List<String> texts) {
            double[][] out = new double[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                List<String> words = List.of(texts.get(i).toLowerCase().split("[^\\p{L}]+"));
                long spam = words.stream().filter(w -> w.equals("viagra") || w.equals("lottery")).count();
                boolean ham = words.contains("meeting") && words.contains("report");
                double s = spam > 0 && !ham ? 0.9 : 0.1;
                out[i] = new double[] {1 - s, s};
            }
            return out;
        }
    }

    @Test
    void rankingPutsTheWordsTheVictimUsesFirst() {
        Target t = new Target("hello cheap viagra for you", 1, 1, 64);
        Victim v = new KeywordVictim();
        assertThat(t.ranked(v).get(0)).isEqualTo("viagra");
        assertThat(t.rankingQueries()).isEqualTo(6);
        assertThat(v.queries()).isEqualTo(6);
    }

    @Test
    void greedyAttackFlipsWithinBudgetAndCountsQueries() {
        Victim v = new KeywordVictim();
        Target t = new Target("Viagra and lottery here", 1, 3, 64);
        Attack.Outcome o = GreedyWordAttack.chars(CharPerturbation.SEPARATOR, 5).attack(t, v);
        // Deleting either keyword alone keeps the text spam, so every word ties (first occurrence first) and the
        // label flips only once "lottery", the third word, is edited too.
        assertThat(o.success()).isTrue();
        assertThat(o.wordsPerturbed()).isEqualTo(3);
        assertThat(o.text()).isEqualTo("V.i.a.g.r.a a.n.d l.o.t.t.e.r.y here");
        assertThat(o.queries()).isEqualTo(t.rankingQueries() + 3);
        Attack.Outcome one = GreedyWordAttack.chars(CharPerturbation.SEPARATOR, 1)
                .attack(new Target("Viagra and lottery here", 1, 3, 64), new KeywordVictim());
        assertThat(one.success()).as("a budget of one word type cannot hide two keywords").isFalse();
    }

    @Test
    void goodWordsComeFromTrainingDataAndFlipTheVictim() {
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            train.add(Example.of("meeting agenda report " + i, "ham"));
            train.add(Example.of("viagra lottery winner agenda", "spam"));
        }
        GoodWords gw = GoodWords.counter().add(train).build(10, 5);
        assertThat(gw.top("ham", 2)).containsExactly("meeting", "report");
        assertThat(gw.top("spam", 3)).containsExactly("lottery", "viagra", "winner");
        Attack.Outcome o = new GoodWordAttack(gw, 4).attack(new Target("cheap viagra", 1, 1, 64), new KeywordVictim());
        assertThat(o.success()).isTrue();
        assertThat(o.text()).isEqualTo("meeting cheap viagra report");
        assertThat(o.wordsPerturbed()).isEqualTo(2);
        assertThat(o.queries()).as("the original, then one and two words added").isEqualTo(3);
    }

    @Test
    void metricsFollowTextAttackConventions() {
        List<Example> data = List.of(
                Example.of("viagra now", "spam"), // right, attackable
                Example.of("hello friend", "spam"), // wrong from the start: not attacked
                Example.of("lottery lottery win", "spam"), // right
                Example.of("meeting meeting", "ham")); // ham: not attacked by default
        KeywordVictim v = new KeywordVictim();
        List<AttackMetrics> rows = AttackSuite.builder().build().run(v, data, null);
        AttackMetrics deletion = rows.stream().filter(r -> r.name().equals("deletion")).findFirst().orElseThrow();
        assertThat(deletion.examples()).isEqualTo(3);
        assertThat(deletion.cleanAccuracy()).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(deletion.accuracy()).isEqualTo(0.0);
        assertThat(deletion.successRate()).isEqualTo(1.0);
        // "viagra now": 1 of 2 words deleted; "lottery lottery win": 2 of 3 occurrences.
        assertThat(deletion.wordsPerturbed()).isCloseTo((0.5 + 2 / 3.0) / 2, within(1e-9));
        AttackMetrics kase = rows.stream().filter(r -> r.name().equals("case")).findFirst().orElseThrow();
        assertThat(kase.successRate()).as("the victim lower-cases").isEqualTo(0.0);
        assertThat(kase.accuracy()).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(rows).extracting(AttackMetrics::name).containsExactly("typo", "leet", "homoglyph", "separator",
                "zero-width", "case", "deletion");
        List<AttackMetrics> hamOnly = AttackSuite.builder().optAttackLabels(Set.of("ham")).build()
                .run(new KeywordVictim(), data, null);
        assertThat(hamOnly.get(0).examples()).isEqualTo(1);
    }

    @Test
    void heldOutSplitIsStratifiedSeededAndDisjoint() {
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            data.add(Example.of("ham " + i, "ham"));
            data.add(Example.of("spam " + i, "spam"));
        }
        HeldOutSplit a = HeldOutSplit.of(data, 10, 1);
        assertThat(a.heldout()).hasSize(20);
        assertThat(a.heldout().stream().filter(e -> e.label().equals("spam")).count()).isEqualTo(10);
        assertThat(a.training()).hasSize(80).doesNotContainAnyElementsOf(a.heldout());
        assertThat(HeldOutSplit.of(data, 10, 1)).isEqualTo(a);
        assertThat(HeldOutSplit.of(data, 10, 2).heldout()).isNotEqualTo(a.heldout());
        assertThat(a.heldout()).as("random, not the tail").isNotEqualTo(data.subList(80, 100));
    }

    @Test
    void summaryGivesMeanAndSampleSd() {
        AttackMetrics m1 = new AttackMetrics("leet", 10, 1.0, 0.8, 0.2, 0.1, 5);
        AttackMetrics m2 = new AttackMetrics("leet", 10, 1.0, 0.6, 0.4, 0.1, 5);
        Summary s = new Summary(List.of(new RobustnessBenchmark.Run("m", 1, 0.9, List.of(m1)),
                new RobustnessBenchmark.Run("m", 2, 0.7, List.of(m2))));
        assertThat(s.cleanAccuracy("m").mean()).isCloseTo(0.8, within(1e-12));
        assertThat(s.attack("m", "leet", AttackMetrics::accuracy).sd()).isCloseTo(Math.sqrt(0.02), within(1e-12));
        assertThat(s.attack("m", "leet", AttackMetrics::accuracy).format()).isEqualTo("0.700±0.141");
        assertThat(((Map<?, ?>) s.toMap().get("m")).keySet()).extracting(Object::toString).contains("clean_accuracy", "attacks");
    }

    @Test
    void aLearnerRunReportsTheMixtureWeightsItWasAttackedWith() {
        Map<String, String> settings = new java.util.LinkedHashMap<>(io.bulwark.model.SyntheticData.small()
                .optContinual(io.bulwark.model.ContinualConfig.DEFAULTS.withWideBuckets(4096)).build().toMap());
        settings.remove("seed");
        RobustnessBenchmark bench = new RobustnessBenchmark(List.of(new RobustnessBenchmark.Candidate("small",
                settings)), List.of(1L), 10, AttackSuite.builder().optMaxTexts(3),
                List.of(RobustnessBenchmark.naiveBayes()), false);
        List<RobustnessBenchmark.Run> runs = bench.run(io.bulwark.model.SyntheticData.keywordTask(120, 3), r -> { });
        assertThat(runs).extracting(RobustnessBenchmark.Run::model).containsExactly("small", "naive-bayes");
        Map<String, Double> weights = runs.get(0).expertWeights();
        assertThat(weights.keySet()).containsExactlyInAnyOrderElementsOf(
                io.bulwark.model.continual.ContinualHead.EXPERTS);
        assertThat(weights.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-4));
        assertThat(weights.values()).as("the weights of the trained mixture, not its initial 0.1 / 0.3")
                .anySatisfy(w -> assertThat(Math.min(Math.abs(w - 0.1), Math.abs(w - 0.3))).isGreaterThan(1e-3));
        assertThat(runs.get(1).expertWeights()).as("a baseline has no mixture").isEmpty();
        assertThat(runs.get(0).attacks()).extracting(AttackMetrics::name).contains("typo", "good-words");
    }

    @Test
    void candidatesParseAndRejectBadKeys() {
        RobustnessBenchmark.Candidate c = RobustnessBenchmark.Candidate.parse(
                "basic=encoder.normalization=BASIC;strategy.type=NATURAL");
        assertThat(c.name()).isEqualTo("basic");
        assertThat(c.settings()).containsEntry("strategy.type", "NATURAL").hasSize(2);
        assertThat(RobustnessBenchmark.Candidate.parse("freeat").settings()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RobustnessBenchmark.Candidate.parse("x=nope=1"))
                .hasMessageContaining("unknown learner configuration key 'nope'");
    }
}
