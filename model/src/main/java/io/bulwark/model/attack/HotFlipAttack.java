package io.bulwark.model.attack;

import io.bulwark.model.learner.Learner;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Gradient-guided word substitution (HotFlip, Ebrahimi et al. 2018), white box on the learner's network: one
 * backward pass ranks every (word position, candidate word) pair by its first-order loss increase
 * ({@link Learner#bestFlip}); the best is applied to every occurrence of that word, the victim is queried, and the
 * search goes on from the edited text until the label flips or {@code budget} words were substituted. The candidates
 * are the words most typical of the other labels in the training data ({@link GoodWords}).
 */
public final class HotFlipAttack implements Attack {

    private final Learner learner;
    private final GoodWords goodWords;
    private final int candidatesPerLabel;
    private final int budget;

    /** Substitutes up to {@code budget} words of a text, choosing among {@code candidatesPerLabel} words a label. */
    public HotFlipAttack(Learner learner, GoodWords goodWords, int candidatesPerLabel, int budget) {
        if (budget < 1 || candidatesPerLabel < 1) {
            throw new IllegalArgumentException("budget and candidates must be >= 1, got " + budget + " and "
                    + candidatesPerLabel);
        }
        this.learner = learner;
        this.goodWords = goodWords;
        this.candidatesPerLabel = candidatesPerLabel;
        this.budget = budget;
    }

    @Override
    public String name() {
        return "hotflip";
    }

    @Override
    public Outcome attack(Target target, Victim victim) {
        String label = victim.labels().get(target.label());
        List<String> candidates = new java.util.ArrayList<>();
        for (String other : victim.labels()) {
            if (!other.equals(label)) {
                candidates.addAll(goodWords.top(other, candidatesPerLabel));
            }
        }
        Words words = target.words();
        Map<String, UnaryOperator<String>> edits = new HashMap<>();
        Set<Integer> frozen = new HashSet<>();
        String text = target.text();
        int perturbed = 0;
        int queries = 0;
        for (int substituted = 0; substituted < budget; ) {
            Learner.Flip flip = learner.bestFlip(text, label, candidates, frozen);
            if (flip == null || flip.gain() <= 0) {
                break;
            }
            frozen.add(flip.position());
            String type = Words.type(flip.original());
            if (words.count(type) == 0 || edits.containsKey(type)) {
                continue;  // a token the text does not spell as a word (a number, a folded look-alike): skip it
            }
            String replacement = flip.replacement();
            edits.put(type, w -> replacement);
            perturbed += words.count(type);
            substituted++;
            text = words.render(edits);
            queries++;
            if (victim.predict(List.of(text))[0] != target.label()) {
                return new Outcome(true, perturbed, words.wordCount(), queries, text);
            }
        }
        return new Outcome(false, perturbed, words.wordCount(), queries, text);
    }
}
