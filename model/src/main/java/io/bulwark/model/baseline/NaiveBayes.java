package io.bulwark.model.baseline;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multinomial naive Bayes text classifier trained online, the classic spam filter (McCallum and Nigam, "A
 * Comparison of Event Models for Naive Bayes Text Classification", AAAI-98 workshop; Manning, Raghavan and
 * Schütze, "Introduction to Information Retrieval", 2008, ch. 13).
 *
 * <p>Score of class c for a text with tokens t1..tn: {@code log P(c) + sum_i log P(t_i | c)} with
 * {@code P(c) = N_c / N} (documents) and Laplace-smoothed {@code P(t | c) = (count(t, c) + alpha) /
 * (tokens(c) + alpha * |V|)}, where |V| is the number of distinct features seen in training. Tokens never seen in
 * training are ignored. Tokens are those of {@link WordTokenizer} (the learner's tokenisation: words and symbol
 * runs). Features are exact tokens ({@code buckets == 0}) or words hashed into {@code buckets}
 * slots for unbounded streams. Example weights scale the counts. Unlabeled examples are not trained on.
 *
 * <p>{@code NaiveBayes nb = NaiveBayes.builder().optAlpha(1.0).optBuckets(1 << 18).build();}
 */
public final class NaiveBayes {
    private final double alpha;
    private final int buckets;
    private final int maxLabels;
    private final WordTokenizer tokenizer;

    private final List<String> labels = new ArrayList<>();
    private final Map<String, Integer> labelIndex = new HashMap<>();
    private final Map<String, Integer> vocabulary = new HashMap<>();
    private double[] documents = new double[0];
    private double[] tokensPerClass = new double[0];
    /** counts[c][feature]. */
    private double[][] counts = new double[0][];
    /** Total count of each feature over all classes, to know which features were seen. */
    private double[] featureTotals;
    private int distinctFeatures;
    private double totalDocuments;

    private NaiveBayes(Builder b) {
        this.alpha = b.alpha;
        this.buckets = b.buckets;
        this.maxLabels = b.maxLabels;
        this.tokenizer = new WordTokenizer(b.maxTokenLength, b.maxTokens);
        this.featureTotals = new double[buckets > 0 ? buckets : 1024];
        for (String label : b.labels) {
            addLabel(label);
        }
    }

    /** A builder with Laplace smoothing (alpha 1), exact vocabulary and labels learned from the data. */
    public static Builder builder() {
        return new Builder();
    }

    /** The label set, in the order of the probability arrays. */
    public List<String> labels() {
        return Collections.unmodifiableList(labels);
    }

    /** Whether {@code label} is known or there is room to learn it. */
    public boolean acceptsLabel(String label) {
        return labelIndex.containsKey(label) || labels.size() < maxLabels;
    }

    /** Documents trained on (sum of weights). */
    public double documents() {
        return totalDocuments;
    }

    /** Distinct features seen in training (|V|). */
    public int vocabularySize() {
        return distinctFeatures;
    }

    /** Trains on one labeled example; unlabeled examples and labels beyond {@code maxLabels} are ignored. */
    public void train(Example example) {
        if (example.label() == null || example.weight() <= 0f || !acceptsLabel(example.label())) {
            return;
        }
        int c = addLabel(example.label());
        double w = example.weight();
        documents[c] += w;
        totalDocuments += w;
        for (String token : tokenizer.tokenize(example.text())) {
            int f = featureForTraining(token);
            ensureFeatureCapacity(f + 1);
            if (featureTotals[f] == 0) {
                distinctFeatures++;
            }
            featureTotals[f] += w;
            counts[c][f] += w;
            tokensPerClass[c] += w;
        }
    }

    /** Trains on each example of the batch, in order. */
    public void train(List<Example> batch) {
        for (Example e : batch) {
            train(e);
        }
    }

    /**
     * Prequential step: counts the labeled examples of the batch predicted right by the model as it was before the
     * batch, then trains on the batch (the same test-then-train protocol as the learner's {@code train}).
     *
     * @return the number of labeled examples predicted right before the update
     */
    public int testThenTrain(List<Example> batch) {
        int correct = 0;
        for (Example e : batch) {
            if (e.label() != null && e.label().equals(predict(e.text()))) {
                correct++;
            }
        }
        train(batch);
        return correct;
    }

    /** Unnormalised log scores per label: log prior plus log likelihood; -Infinity for labels with no documents. */
    public double[] logScores(String text) {
        int k = labels.size();
        double[] scores = new double[k];
        if (totalDocuments <= 0) {
            return scores;
        }
        for (int c = 0; c < k; c++) {
            scores[c] = documents[c] > 0 ? Math.log(documents[c] / totalDocuments) : Double.NEGATIVE_INFINITY;
        }
        double smoothedV = alpha * distinctFeatures;
        for (String token : tokenizer.tokenize(text)) {
            int f = featureOrMinusOne(token);
            if (f < 0 || f >= featureTotals.length || featureTotals[f] == 0) {
                continue;
            }
            for (int c = 0; c < k; c++) {
                if (documents[c] > 0) {
                    scores[c] += Math.log((counts[c][f] + alpha) / (tokensPerClass[c] + smoothedV));
                }
            }
        }
        return scores;
    }

    /** Posterior probabilities per label (softmax of {@link #logScores}); uniform before any training. */
    public double[] probabilities(String text) {
        double[] scores = logScores(text);
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        if (scores.length == 0) {
            return p;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = scores[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The most probable label (the first label on ties), or {@code null} while no label is known. */
    public String predict(String text) {
        if (labels.isEmpty()) {
            return null;
        }
        double[] scores = logScores(text);
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] > scores[best]) {
                best = c;
            }
        }
        return labels.get(best);
    }

    /** Accuracy over the labeled examples of {@code examples} (NaN if none is labeled); does not train. */
    public double accuracy(List<Example> examples) {
        int labeled = 0;
        int correct = 0;
        for (Example e : examples) {
            if (e.label() == null) {
                continue;
            }
            labeled++;
            if (e.label().equals(predict(e.text()))) {
                correct++;
            }
        }
        return labeled == 0 ? Double.NaN : (double) correct / labeled;
    }

    private int addLabel(String label) {
        Integer known = labelIndex.get(label);
        if (known != null) {
            return known;
        }
        if (labels.size() >= maxLabels) {
            throw new IllegalArgumentException("Label '" + label + "' exceeds maxLabels " + maxLabels);
        }
        int c = labels.size();
        labels.add(label);
        labelIndex.put(label, c);
        documents = Arrays.copyOf(documents, c + 1);
        tokensPerClass = Arrays.copyOf(tokensPerClass, c + 1);
        counts = Arrays.copyOf(counts, c + 1);
        counts[c] = new double[featureTotals.length];
        return c;
    }

    private int featureForTraining(String token) {
        if (buckets > 0) {
            return hash(token);
        }
        Integer f = vocabulary.get(token);
        if (f == null) {
            f = vocabulary.size();
            vocabulary.put(token, f);
        }
        return f;
    }

    private int featureOrMinusOne(String token) {
        if (buckets > 0) {
            return hash(token);
        }
        Integer f = vocabulary.get(token);
        return f == null ? -1 : f;
    }

    private int hash(String token) {
        int h = token.hashCode() * 0x9E3779B1;
        h ^= h >>> 16;
        return Math.floorMod(h, buckets);
    }

    private void ensureFeatureCapacity(int size) {
        if (size <= featureTotals.length) {
            return;
        }
        int grown = Math.max(size, featureTotals.length * 2);
        featureTotals = Arrays.copyOf(featureTotals, grown);
        for (int c = 0; c < counts.length; c++) {
            counts[c] = Arrays.copyOf(counts[c], grown);
        }
    }

    /** Builder of {@link NaiveBayes}. */
    public static final class Builder {
        private double alpha = 1.0;
        private int buckets;
        private int maxLabels = 1024;
        private int maxTokenLength = 40;
        private int maxTokens = Integer.MAX_VALUE;
        private List<String> labels = List.of();

        private Builder() {}

        /** Sets the additive (Laplace) smoothing; default 1. */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Hashes words into this many slots; 0 (default) keeps an exact vocabulary. */
        public Builder optBuckets(int buckets) {
            this.buckets = buckets;
            return this;
        }

        /** Declares labels up front, in output order; more are learned from the data up to {@code maxLabels}. */
        public Builder optLabels(List<String> labels) {
            this.labels = List.copyOf(labels);
            return this;
        }

        /** Sets the most labels the model may learn; default 1024. */
        public Builder optMaxLabels(int maxLabels) {
            this.maxLabels = maxLabels;
            return this;
        }

        /** Sets where long tokens are cut; default 40 characters. */
        public Builder optMaxTokenLength(int maxTokenLength) {
            this.maxTokenLength = maxTokenLength;
            return this;
        }

        /** Reads at most this many tokens of each text; default all of them. */
        public Builder optMaxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** Validates and builds the model. */
        public NaiveBayes build() {
            if (!(alpha > 0) || !Double.isFinite(alpha)) {
                throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
            }
            if (buckets < 0) {
                throw new IllegalArgumentException("buckets must be >= 0 (0 = exact vocabulary), got " + buckets);
            }
            if (maxLabels < 1) {
                throw new IllegalArgumentException("maxLabels must be >= 1, got " + maxLabels);
            }
            if (labels.size() > maxLabels) {
                throw new IllegalArgumentException(labels.size() + " labels declared but maxLabels is " + maxLabels);
            }
            if (labels.stream().distinct().count() != labels.size()) {
                throw new IllegalArgumentException("Duplicate labels in " + labels);
            }
            if (maxTokenLength < 1) {
                throw new IllegalArgumentException("maxTokenLength must be >= 1, got " + maxTokenLength);
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
            }
            return new NaiveBayes(this);
        }
    }
}
