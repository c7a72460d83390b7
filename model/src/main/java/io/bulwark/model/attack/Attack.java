package io.bulwark.model.attack;

/** An evasion attack on one correctly classified example: edits the text until the victim's label flips or the budget is spent. */
public interface Attack {

    /** The attack's name in tables and reports. */
    String name();

    /** Attacks one example the victim classifies right. */
    Outcome attack(Target target, Victim victim);

    /**
     * The result of attacking one example.
     *
     * @param success whether the victim's label flipped
     * @param wordsPerturbed word occurrences edited, deleted or added
     * @param words word occurrences of the original text
     * @param queries texts the victim scored for this example, the shared importance ranking included
     * @param text the last text tried
     */
    record Outcome(boolean success, int wordsPerturbed, int words, int queries, String text) {}
}
