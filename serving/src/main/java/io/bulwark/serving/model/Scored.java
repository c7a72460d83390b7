package io.bulwark.serving.model;

/** One scored text: the predicted label and the probability of every label, in the model's label order. */
public record Scored(String label, float[] probabilities) {}
