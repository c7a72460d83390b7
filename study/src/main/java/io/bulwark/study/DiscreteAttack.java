package io.bulwark.study;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.Prediction;
import io.bulwark.model.baseline.NaiveBayes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Greedy black-box attack with discrete edits under an edit budget, in the manner of DeepWordBug (Gao et al. 2018)
 * and TextBugger (Li et al. 2019): words are ranked by how much deleting them lowers the probability of the true
 * class; then, up to {@code budget} times, every allowed edit of each of the {@code topWords} most important,
 * not yet edited words is scored and the one that lowers the true class's probability most is kept. The search stops
 * once the prediction is wrong, the budget is spent, or no edit lowers the probability. Only the model's output
 * probabilities are used.
 *
 * <p>Only words among the first {@code maxTokens} tokens are edited, since the model reads no further.
 */
public final class DiscreteAttack {

    /** A classifier seen as a black box: probabilities per label. */
    public interface Model {
        /** Probabilities over {@link #labels()} for each text. */
        double[][] probabilities(List<String> texts);

        /** The labels, in the order of the probabilities. */
        List<String> labels();
    }

    /** The outcome on one mail. */
    public record Outcome(String label, boolean cleanCorrect, boolean robust, int edits, int queries,
                          String adversarialText) {}

    /** The outcome on a set of mails. */
    public record Summary(String attack, int budget, int spam, int ham, double cleanSpam, double robustSpam,
                          double cleanHam, double robustHam, double robustAll, double meanEditsToFlip,
                          double queriesPerMail, String example) {}

    private final String name;
    private final List<TextEdits.Kind> kinds;
    private final int budget;
    private final int topWords;
    private final int maxTokens;

    /**
     * An attack named {@code name} using the edit {@code kinds}.
     *
     * @param budget maximum edits per mail
     * @param topWords most important words considered in each round
     * @param maxTokens tokens the model reads
     */
    public DiscreteAttack(String name, List<TextEdits.Kind> kinds, int budget, int topWords, int maxTokens) {
        if (budget < 1 || topWords < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("budget, topWords and maxTokens must be >= 1");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.kinds = List.copyOf(kinds);
        this.budget = budget;
        this.topWords = topWords;
        this.maxTokens = maxTokens;
    }

    /** The character-obfuscation attack: leet, homoglyph, insertion, deletion. */
    public static DiscreteAttack characters(int budget, int topWords, int maxTokens) {
        return new DiscreteAttack("char", TextEdits.CHARACTER, budget, topWords, maxTokens);
    }

    /** The word-substitution attack. */
    public static DiscreteAttack words(int budget, int topWords, int maxTokens) {
        return new DiscreteAttack("word", TextEdits.WORD, budget, topWords, maxTokens);
    }

    /** The attack's name. */
    public String name() {
        return name;
    }

    /** The edit budget. */
    public int budget() {
        return budget;
    }

    /** Attacks each labeled mail and summarises by class. */
    public Summary run(Model model, List<Example> examples) {
        List<Outcome> out = new ArrayList<>();
        for (Example e : examples) {
            if (e.label() != null) {
                out.add(attack(model, e.text(), e.label()));
            }
        }
        return summarise(out);
    }

    /** Summarises outcomes by class. */
    public Summary summarise(List<Outcome> out) {
        int spam = 0;
        int ham = 0;
        int cleanSpam = 0;
        int robustSpam = 0;
        int cleanHam = 0;
        int robustHam = 0;
        int flipped = 0;
        long flipEdits = 0;
        long queries = 0;
        String example = "";
        for (Outcome o : out) {
            boolean isSpam = StudyStreams.SPAM.equals(o.label());
            if (isSpam) {
                spam++;
                cleanSpam += o.cleanCorrect() ? 1 : 0;
                robustSpam += o.robust() ? 1 : 0;
            } else {
                ham++;
                cleanHam += o.cleanCorrect() ? 1 : 0;
                robustHam += o.robust() ? 1 : 0;
            }
            if (o.cleanCorrect() && !o.robust()) {
                flipped++;
                flipEdits += o.edits();
                if (isSpam && example.isEmpty()) {
                    example = o.adversarialText();
                }
            }
            queries += o.queries();
        }
        int n = spam + ham;
        return new Summary(name, budget, spam, ham, ratio(cleanSpam, spam), ratio(robustSpam, spam),
                ratio(cleanHam, ham), ratio(robustHam, ham), ratio(robustSpam + robustHam, n),
                flipped == 0 ? Double.NaN : (double) flipEdits / flipped, n == 0 ? 0 : (double) queries / n,
                example);
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /** Attacks one mail of class {@code label}. */
    public Outcome attack(Model model, String text, String label) {
        int target = model.labels().indexOf(label);
        double[] p0 = model.probabilities(List.of(text))[0];
        int queries = 1;
        if (target < 0 || argmax(p0) != target) {
            return new Outcome(label, false, false, 0, queries, text);
        }
        List<Integer> words = new ArrayList<>();
        List<String> pieces = TextEdits.pieces(text, words);
        List<Integer> candidates = visibleEditableWords(pieces, words);
        if (candidates.isEmpty()) {
            return new Outcome(label, true, true, 0, queries, text);
        }
        // Rank words by how much deleting each lowers the true class's probability.
        List<String> deleted = new ArrayList<>();
        for (int w : candidates) {
            String saved = pieces.get(w);
            pieces.set(w, "");
            deleted.add(String.join("", pieces));
            pieces.set(w, saved);
        }
        double[][] pd = model.probabilities(deleted);
        queries += deleted.size();
        List<int[]> ranked = new ArrayList<>();
        double[] score = new double[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            score[i] = p0[target] - pd[i][target];
            ranked.add(new int[] {candidates.get(i), i});
        }
        ranked.sort(Comparator.comparingDouble((int[] r) -> -score[r[1]]));
        List<Integer> top = new ArrayList<>();
        for (int[] r : ranked) {
            if (top.size() >= topWords) {
                break;
            }
            top.add(r[0]);
        }
        double current = p0[target];
        int edits = 0;
        List<Integer> edited = new ArrayList<>();
        while (edits < budget) {
            List<String> texts = new ArrayList<>();
            List<Integer> where = new ArrayList<>();
            List<String> replacement = new ArrayList<>();
            for (int w : top) {
                if (edited.contains(w)) {
                    continue;
                }
                String original = pieces.get(w);
                for (TextEdits.Kind k : kinds) {
                    for (String v : TextEdits.apply(k, original)) {
                        pieces.set(w, v);
                        texts.add(String.join("", pieces));
                        where.add(w);
                        replacement.add(v);
                    }
                }
                pieces.set(w, original);
            }
            if (texts.isEmpty()) {
                break;
            }
            double[][] p = model.probabilities(texts);
            queries += texts.size();
            int best = -1;
            for (int i = 0; i < texts.size(); i++) {
                if (best < 0 || p[i][target] < p[best][target]) {
                    best = i;
                }
            }
            if (p[best][target] >= current) {
                break;
            }
            int w = where.get(best);
            pieces.set(w, replacement.get(best));
            edited.add(w);
            edits++;
            current = p[best][target];
            if (argmax(p[best]) != target) {
                return new Outcome(label, true, false, edits, queries, texts.get(best));
            }
        }
        return new Outcome(label, true, true, edits, queries, String.join("", pieces));
    }

    /** Word pieces among the first {@code maxTokens} tokens that some edit of this attack applies to. */
    private List<Integer> visibleEditableWords(List<String> pieces, List<Integer> words) {
        List<Integer> out = new ArrayList<>();
        int tokens = 0;
        int wi = 0;
        for (int i = 0; i < pieces.size() && tokens < maxTokens; i++) {
            if (wi < words.size() && words.get(wi) == i) {
                wi++;
                tokens++;
                String w = pieces.get(i);
                if (w.length() >= 2 && Character.isLetter(w.codePointAt(0))) {
                    for (TextEdits.Kind k : kinds) {
                        if (!TextEdits.apply(k, w).isEmpty()) {
                            out.add(i);
                            break;
                        }
                    }
                }
            } else {
                for (String run : pieces.get(i).trim().split("\\s+")) {
                    if (!run.isEmpty()) {
                        tokens++;
                    }
                }
            }
        }
        return out;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The learner as a black box. */
    public static Model of(Learner learner) {
        return new Model() {
            @Override
            public double[][] probabilities(List<String> texts) {
                List<Prediction> preds = learner.predict(texts);
                double[][] out = new double[texts.size()][];
                for (int i = 0; i < out.length; i++) {
                    float[] f = preds.get(i).probabilities();
                    out[i] = new double[f.length];
                    for (int j = 0; j < f.length; j++) {
                        out[i][j] = f[j];
                    }
                }
                return out;
            }

            @Override
            public List<String> labels() {
                return learner.labels();
            }
        };
    }

    /** The naive Bayes filter as a black box. */
    public static Model of(NaiveBayes nb) {
        return new Model() {
            @Override
            public double[][] probabilities(List<String> texts) {
                double[][] out = new double[texts.size()][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = nb.probabilities(texts.get(i));
                }
                return out;
            }

            @Override
            public List<String> labels() {
                return nb.labels();
            }
        };
    }
}
