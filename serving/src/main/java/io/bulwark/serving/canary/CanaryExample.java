package io.bulwark.serving.canary;

import java.util.List;

/**
 * One example of a canary set: a held-out event and the same event under each attack family.
 *
 * @param seq position in the model's canary stream (increasing, never reused)
 * @param eventId the producer's event id
 * @param text the clean text
 * @param label the true label
 * @param attacked the text under each family of {@link CanaryAttacks#FAMILIES}, in that order
 */
public record CanaryExample(long seq, String eventId, String text, String label, List<String> attacked) {

    /** Copies the list. */
    public CanaryExample {
        attacked = List.copyOf(attacked);
    }
}
