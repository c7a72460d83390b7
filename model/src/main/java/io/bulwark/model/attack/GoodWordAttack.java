package io.bulwark.model.attack;

import java.util.ArrayList;
import java.util.List;

/**
 * Good-word injection (Lowd and Meek 2005; Wittel and Wu 2004): words most typical of another label, taken from
 * training data, are added in steps of a quarter of the budget, alternately at the start and at the end of the text,
 * until the label flips or {@code budget} words were added. The words go to the label the victim ranks second.
 */
public final class GoodWordAttack implements Attack {
    private final GoodWords goodWords;
    private final int budget;

    /** An attack adding at most {@code budget} of {@code goodWords}' words. */
    public GoodWordAttack(GoodWords goodWords, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be >= 1, got " + budget);
        }
        this.goodWords = goodWords;
        this.budget = budget;
    }

    @Override
    public String name() {
        return "good-words";
    }

    @Override
    public Outcome attack(Target target, Victim victim) {
        double[] p = victim.probabilities(List.of(target.text()))[0];
        int queries = 1;
        int other = -1;
        for (int j = 0; j < p.length; j++) {
            if (j != target.label() && (other < 0 || p[j] > p[other])) {
                other = j;
            }
        }
        int words = target.words().wordCount();
        if (other < 0) {
            return new Outcome(false, 0, words, queries, target.text());
        }
        List<String> pool = goodWords.top(victim.labels().get(other), budget);
        int step = Math.max(1, budget / 4);
        String text = target.text();
        for (int added = Math.min(step, pool.size()); added > 0; added = Math.min(added + step, pool.size())) {
            List<String> head = new ArrayList<>();
            List<String> tail = new ArrayList<>();
            for (int i = 0; i < added; i++) {
                (i % 2 == 0 ? head : tail).add(pool.get(i));
            }
            text = String.join(" ", head) + " " + target.text() + (tail.isEmpty() ? "" : " " + String.join(" ", tail));
            queries++;
            if (victim.predict(List.of(text))[0] != target.label()) {
                return new Outcome(true, added, words, queries, text);
            }
            if (added == pool.size()) {
                break;
            }
        }
        return new Outcome(false, Math.min(budget, pool.size()), words, queries, text);
    }
}
