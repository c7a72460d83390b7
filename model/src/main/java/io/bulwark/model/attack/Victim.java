package io.bulwark.model.attack;

import io.bulwark.model.learner.Learner;
import io.bulwark.model.Prediction;
import io.bulwark.model.baseline.NaiveBayes;
import java.util.ArrayList;
import java.util.List;

/** A black-box classifier under attack: scores texts and counts how many texts it was asked to score. */
public interface Victim {

    /** The labels, in the order of the probability arrays. */
    List<String> labels();

    /** Class probabilities of each text; each text counts as one query. */
    double[][] probabilities(List<String> texts);

    /** Texts scored so far. */
    long queries();

    /** The index of the most probable label of each text. */
    default int[] predict(List<String> texts) {
        double[][] p = probabilities(texts);
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = argmax(p[i]);
        }
        return out;
    }

    /** The index of the largest entry (the first on ties). */
    static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    /** A victim scoring with {@link Learner#predict} (evaluation mode). */
    static Victim of(Learner learner) {
        return new Counting(learner.labels()) {
            @Override
            protected double[][] score(List<String> texts) {
                List<Prediction> ps = learner.predict(texts);
                double[][] out = new double[ps.size()][];
                for (int i = 0; i < out.length; i++) {
                    float[] f = ps.get(i).probabilities();
                    out[i] = new double[f.length];
                    for (int j = 0; j < f.length; j++) {
                        out[i][j] = f[j];
                    }
                }
                return out;
            }
        };
    }

    /** A victim scoring with {@link NaiveBayes#probabilities}. */
    static Victim of(NaiveBayes nb) {
        return new Counting(nb.labels()) {
            @Override
            protected double[][] score(List<String> texts) {
                double[][] out = new double[texts.size()][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = nb.probabilities(texts.get(i));
                }
                return out;
            }
        };
    }

    /** Counts the texts passed to {@link #score}. */
    abstract class Counting implements Victim {
        private final List<String> labels;
        private long queries;

        /** A victim over {@code labels}, in the order of the probability arrays. */
        protected Counting(List<String> labels) {
            this.labels = List.copyOf(new ArrayList<>(labels));
        }

        /** Class probabilities of each text (not counted: {@link #probabilities} counts). */
        protected abstract double[][] score(List<String> texts);

        @Override
        public List<String> labels() {
            return labels;
        }

        @Override
        public double[][] probabilities(List<String> texts) {
            queries += texts.size();
            return score(texts);
        }

        @Override
        public long queries() {
            return queries;
        }
    }
}
