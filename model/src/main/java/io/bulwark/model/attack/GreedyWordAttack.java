package io.bulwark.model.attack;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Greedy attack over the words that matter most (TextAttack's greedy word-importance-ranking search, Gao et al.
 * 2018): in order of leave-one-out importance, edit every occurrence of the next word type (with a
 * {@link CharPerturbation}, or delete it), query the victim, and stop when the label flips or {@code budget} word
 * types have been edited.
 */
public final class GreedyWordAttack implements Attack {
    private final String name;
    private final CharPerturbation perturbation;
    private final int budget;

    private GreedyWordAttack(String name, CharPerturbation perturbation, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be >= 1, got " + budget);
        }
        this.name = name;
        this.perturbation = perturbation;
        this.budget = budget;
    }

    /** Edits up to {@code budget} word types with {@code perturbation}. */
    public static GreedyWordAttack chars(CharPerturbation perturbation, int budget) {
        return new GreedyWordAttack(perturbation.name().toLowerCase(Locale.ROOT).replace('_', '-'), perturbation, budget);
    }

    /** Deletes up to {@code budget} word types. */
    public static GreedyWordAttack deletion(int budget) {
        return new GreedyWordAttack("deletion", null, budget);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outcome attack(Target target, Victim victim) {
        Words words = target.words();
        List<String> ranked = target.ranked(victim);
        int queries = target.rankingQueries();
        Map<String, UnaryOperator<String>> edits = new HashMap<>();
        int perturbed = 0;
        int edited = 0;
        String text = target.text();
        long seed = target.seed();
        for (String type : ranked) {
            if (edited >= budget) {
                break;
            }
            if (perturbation == null) {
                edits.put(type, null);
            } else {
                if (perturbation != CharPerturbation.CASE && perturbation.apply(type, seed).equals(type)) {
                    continue;
                }
                edits.put(type, w -> perturbation.apply(w, seed));
            }
            edited++;
            perturbed += words.count(type);
            text = words.render(edits);
            queries++;
            if (victim.predict(List.of(text))[0] != target.label()) {
                return new Outcome(true, perturbed, words.wordCount(), queries, text);
            }
        }
        return new Outcome(false, perturbed, words.wordCount(), queries, text);
    }
}
