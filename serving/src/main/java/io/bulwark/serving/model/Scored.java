package io.bulwark.serving.model;

/** One scored text: the predicted label and the probability of every label, in the model's label order. */
public record Scored(String label, float[] probabilities) {

    /** The largest class probability: the model's confidence in its label. */
    public float confidence() {
        float max = 0;
        for (float p : probabilities) {
            max = Math.max(max, p);
        }
        return max;
    }
}
