package io.bulwark.model.attack;

import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.PgdAttack;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The realistic attack suite: character attacks ({@link CharPerturbation}) and deletion on the most important
 * words, and good-word injection, each against a black-box {@link Victim}; embedding-space PGD is added for a
 * {@link Learner} by {@link #pgd}. By default only examples of the positive class ("spam" when the labels have it)
 * are attacked, i.e. evasion; the attack always aims to flip the true label, whatever it is.
 *
 * <p>{@code AttackSuite.builder().optCharBudget(5).optGoodWords(20).build().run(Victim.of(learner), heldout, goodWords)}
 */
public final class AttackSuite {

    /** Candidate words per other label that HotFlip chooses among. */
    static final int HOTFLIP_CANDIDATES = 100;

    /** The label attacked by default when present. */
    public static final String DEFAULT_POSITIVE_LABEL = "spam";

    private final int charBudget;
    private final int goodWordBudget;
    private final int maxRankedTypes;
    private final int maxTexts;
    private final long seed;
    private final Set<String> attackLabels;

    private AttackSuite(Builder b) {
        charBudget = b.charBudget;
        goodWordBudget = b.goodWordBudget;
        maxRankedTypes = b.maxRankedTypes;
        maxTexts = b.maxTexts;
        seed = b.seed;
        attackLabels = b.attackLabels;
    }

    /** A builder: 5 word types edited per text, 20 good words, 64 ranked word types, all texts, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    /** The attacks run against a black-box victim (good-word injection only when {@code goodWords} is not null). */
    public List<Attack> attacks(GoodWords goodWords) {
        List<Attack> out = new ArrayList<>();
        for (CharPerturbation p : CharPerturbation.values()) {
            out.add(GreedyWordAttack.chars(p, charBudget));
        }
        out.add(GreedyWordAttack.deletion(charBudget));
        if (goodWords != null) {
            out.add(new GoodWordAttack(goodWords, goodWordBudget));
        }
        return out;
    }

    /** The examples attacked: labeled ones of the attacked labels, at most {@code maxTexts}. */
    public List<Example> select(List<Example> examples, List<String> labels) {
        Set<String> wanted = attackLabels.isEmpty() && labels.contains(DEFAULT_POSITIVE_LABEL)
                ? Set.of(DEFAULT_POSITIVE_LABEL) : attackLabels;
        List<Example> out = new ArrayList<>();
        for (Example e : examples) {
            if (e.label() != null && (wanted.isEmpty() || wanted.contains(e.label()))
                    && (maxTexts <= 0 || out.size() < maxTexts)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Runs every attack of {@link #attacks} on the selected examples. */
    public List<AttackMetrics> run(Victim victim, List<Example> examples, GoodWords goodWords) {
        return run(victim, examples, goodWords, null);
    }

    /**
     * Runs every attack of {@link #attacks}, and gradient-guided substitution ({@link HotFlipAttack}) on the network of
     * {@code whiteBox} when it is not null and there are good words, on the selected examples.
     */
    public List<AttackMetrics> run(Victim victim, List<Example> examples, GoodWords goodWords, Learner whiteBox) {
        List<Example> chosen = select(examples, victim.labels());
        List<String> texts = new ArrayList<>();
        for (Example e : chosen) {
            texts.add(e.text());
        }
        int[] predicted = texts.isEmpty() ? new int[0] : victim.predict(texts);
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int label = victim.labels().indexOf(chosen.get(i).label());
            targets.add(label >= 0 && predicted[i] == label
                    ? new Target(chosen.get(i).text(), label, seed * 1_000_003L + i, maxRankedTypes) : null);
        }
        List<Attack> attacks = attacks(goodWords);
        if (whiteBox != null && goodWords != null) {
            attacks.add(new HotFlipAttack(whiteBox, goodWords, HOTFLIP_CANDIDATES, charBudget));
        }
        List<AttackMetrics> out = new ArrayList<>();
        for (Attack a : attacks) {
            out.add(run(a, victim, targets));
        }
        return out;
    }

    private static AttackMetrics run(Attack attack, Victim victim, List<Target> targets) {
        int n = targets.size();
        int correct = 0;
        int successes = 0;
        double perturbed = 0;
        double queries = 0;
        for (Target t : targets) {
            if (t == null) {
                continue;
            }
            correct++;
            Attack.Outcome o = attack.attack(t, victim);
            queries += o.queries();
            if (o.success()) {
                successes++;
                perturbed += o.wordsPerturbed() / (double) Math.max(1, o.words());
            }
        }
        return new AttackMetrics(attack.name(), n, ratio(correct, n), ratio(correct - successes, n),
                ratio(successes, correct), successes == 0 ? Double.NaN : perturbed / successes,
                correct == 0 ? Double.NaN : queries / correct);
    }

    /** Embedding-space PGD on the selected examples, as one more row (white box: no queries, no words). */
    public AttackMetrics pgd(Learner learner, List<Example> examples, PgdAttack attack) {
        List<Example> chosen = select(examples, learner.labels());
        Evaluation e = learner.evaluate(chosen, attack);
        return new AttackMetrics("embedding-pgd", e.examples(), e.cleanAccuracy(), e.robustAccuracy(),
                e.cleanAccuracy() > 0 ? 1 - e.robustAccuracy() / e.cleanAccuracy() : Double.NaN, Double.NaN,
                Double.NaN);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    /** Builder of {@link AttackSuite}. */
    public static final class Builder {
        private int charBudget = 5;
        private int goodWordBudget = 20;
        private int maxRankedTypes = 64;
        private int maxTexts = 0;
        private long seed = 1;
        private Set<String> attackLabels = Set.of();

        private Builder() {}

        /** Word types edited or deleted per text (default 5). */
        public Builder optCharBudget(int v) { charBudget = v; return this; }

        /** Good words added per text (default 20). */
        public Builder optGoodWords(int v) { goodWordBudget = v; return this; }

        /** Word types ranked by leave-one-out importance, in order of first occurrence (default 64). */
        public Builder optMaxRankedTypes(int v) { maxRankedTypes = v; return this; }

        /** At most this many examples attacked, 0 = all (default 0). */
        public Builder optMaxTexts(int v) { maxTexts = v; return this; }

        /** Seed of the random edits (default 1). */
        public Builder optSeed(long v) { seed = v; return this; }

        /** Labels whose examples are attacked; empty = "spam" if present, else all (default empty). */
        public Builder optAttackLabels(Set<String> v) { attackLabels = Set.copyOf(new LinkedHashSet<>(v)); return this; }

        /** Validates and builds. */
        public AttackSuite build() {
            if (charBudget < 1 || goodWordBudget < 1 || maxRankedTypes < 1 || maxTexts < 0) {
                throw new IllegalArgumentException("Invalid attack suite: charBudget=" + charBudget + " goodWords="
                        + goodWordBudget + " maxRankedTypes=" + maxRankedTypes + " maxTexts=" + maxTexts
                        + " (budgets and ranked types must be >= 1, maxTexts >= 0)");
            }
            return new AttackSuite(this);
        }
    }
}
