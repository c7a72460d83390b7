package io.bulwark.model.continual;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.baseline.WordTokenizer;
import io.bulwark.model.snapshot.TensorData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learner's wide side: a {@link WideModel} and a {@link NaiveBayesExpert} beside the network, combined with the
 * network by an online mixture of experts.
 *
 * <p>The experts are the network, the wide model, naive Bayes, and the sum of the network's and the wide model's
 * logits. The prediction is a weighted vote of the experts' predicted classes (weighted majority, Littlestone and
 * Warmuth 1994), with a small share of each weight spread as the expert's class distribution to break near-ties. The
 * weights start at 0.1 for the untrained network and 0.3 for each other expert, then follow Hedge on the 0/1 loss
 * with fixed share (Freund and Schapire 1997; Herbster and Warmuth, "Tracking the Best Expert", 1998): after each
 * labeled example the weight of every expert that predicted it wrong is multiplied by {@code exp(-eta)}, then the
 * weights are renormalised and {@code alpha / K} is mixed back into each, so that an expert that became the best
 * after a drift is trusted again within a few dozen examples. The loss is the mistake, not {@code 1 - p(y)}: with
 * that loss an overconfident expert (naive Bayes on long texts) won the weight over a more accurate but calibrated
 * one. With a large {@code eta} the vote follows the expert with the fewest recent mistakes; since naive Bayes is
 * one of the experts, the mixture's accuracy stays close to that of naive Bayes or of a better expert.
 *
 * <p>Every step is test-then-train on a chunk: all experts score the chunk with the state before it, then the
 * weights, naive Bayes and the wide model learn from it, one example at a time. The state is float32 and is written
 * into the learner's parameter payload under {@value #PREFIX}, so serving, the job and a restored learner predict
 * identically.
 */
public final class ContinualHead {
    /** Prefix of this part's tensors in the parameter payload. */
    public static final String PREFIX = "continual.";

    /** Names of the experts, in weight order. */
    public static final List<String> EXPERTS = List.of("network", "wide", "naiveBayes", "networkPlusWide");

    private static final int NETWORK = 0;
    private static final int WIDE = 1;
    private static final int NAIVE_BAYES = 2;
    private static final int SUM = 3;
    private static final double SOFT = 0.1;

    private final ContinualConfig config;
    private final WordTokenizer tokenizer = new WordTokenizer();
    private final WideModel wide;
    private final NaiveBayesExpert naiveBayes;
    private float[] weights;
    /** Per expert: labeled examples scored, and how many it predicted right (prequential diagnostics). */
    private float[] scored;

    /** A fresh head: untrained experts and the prior weights. */
    public ContinualHead(ContinualConfig config) {
        this.config = config;
        this.wide = new WideModel(config.wideBuckets(), config.wideLearningRate());
        this.naiveBayes = new NaiveBayesExpert(config.naiveBayesKind(), config.wideBuckets());
        // Prior: the untrained network is the weakest expert at the start of a stream.
        this.weights = new float[] {0.1f, 0.3f, 0.3f, 0.3f};
        this.scored = new float[EXPERTS.size() + 1];
    }

    /**
     * The mixture's class probabilities, row-major [texts, classes].
     *
     * @param networkLogits the network's logits over the same {@code classes}, row-major
     */
    public float[] probabilities(List<String> texts, float[] networkLogits, int classes) {
        float[] out = new float[texts.size() * classes];
        for (int i = 0; i < texts.size(); i++) {
            double[][] p = experts(features(texts.get(i)), networkLogits, i, classes);
            double[] mix = mix(p, classes);
            for (int c = 0; c < classes; c++) {
                out[i * classes + c] = (float) mix[c];
            }
        }
        return out;
    }

    /**
     * Scores the labeled texts with the state before the chunk, then learns from them. Rows are the stream's texts
     * up to {@code stream}, then texts replayed from the class-balanced reservoir up to {@code replayEnd}, then probe
     * texts (withheld from all training). Rows with weight 0 are scored but not learned from.
     *
     * <p>Without the probe, replayed texts update the mixture weights (so that an expert that forgot a class absent
     * from the recent stream loses weight) and train the wide model, but not naive Bayes, which does not forget and
     * would count them twice. With the probe, the weights learn from the stream and probe texts only (the experts
     * trained on the replayed ones, so their mistakes there say little), and each class present among them weighs
     * the same in the update: under a long run of one class, an expert's mistakes on the other classes' probe texts
     * count as much as its mistakes on the stream.
     *
     * @param targets class index of each text's label
     * @param exampleWeights weight of each example in training (0: not trained on)
     * @param stream the number of stream texts
     * @param replayEnd the end of the replayed texts; the rest are probe texts
     * @param networkLogits the network's logits over the {@code known} classes known before the chunk, row-major
     * @param known classes known before the chunk (0: nothing is predicted)
     * @param classes classes known after the chunk's labels were added
     * @return the mixture's predicted class per text, -1 when no class was known
     */
    public int[] testThenTrain(List<String> texts, int[] targets, float[] exampleWeights, int stream, int replayEnd,
                               float[] networkLogits, int known, int classes) {
        return testThenTrain(texts, targets, exampleWeights, stream, replayEnd, texts.size(), networkLogits, known,
                classes);
    }

    /**
     * As {@link #testThenTrain(List, int[], float[], int, int, float[], int, int)}, with the texts from
     * {@code probeEnd} on attacked copies of probe texts: they weigh in the mixture's update like a probe text of
     * their class, without changing the classes' shares.
     */
    public int[] testThenTrain(List<String> texts, int[] targets, float[] exampleWeights, int stream, int replayEnd,
                               int probeEnd, float[] networkLogits, int known, int classes) {
        wide.ensureClasses(classes);
        naiveBayes.ensureClasses(classes);
        List<TextFeatures> features = new ArrayList<>(texts.size());
        int[] predicted = new int[texts.size()];
        List<double[][]> expertProbabilities = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            TextFeatures f = features(texts.get(i));
            features.add(f);
            if (known == 0) {
                predicted[i] = -1;
                continue;
            }
            double[][] p = experts(f, networkLogits, i, known);
            expertProbabilities.add(p);
            predicted[i] = Probabilities.argmax(mix(p, known));
        }
        double[] scale = weightScales(targets, stream, replayEnd, probeEnd, known);
        for (int i = 0; i < texts.size(); i++) {
            if (known > 0 && targets[i] < known && scale[i] > 0) {
                updateWeights(expertProbabilities.get(i), targets[i], scale[i], i < stream);
            }
            if (exampleWeights[i] > 0 && i < replayEnd) {
                if (i < stream) {
                    naiveBayes.update(features.get(i), targets[i], exampleWeights[i]);
                }
                wide.update(features.get(i), targets[i], classes, exampleWeights[i]);
                if (config.wideAdversarialWords() > 0) {
                    TextFeatures worst = wide.worstInjection(features.get(i), targets[i], classes,
                            config.wideAdversarialWords());
                    if (worst != features.get(i)) {
                        wide.update(worst, targets[i], classes, exampleWeights[i]);
                    }
                }
            }
        }
        return predicted;
    }

    /**
     * The weight of each row in the mixture's update. Without the probe: 1 for stream rows and, for replayed rows,
     * stream / replayed, so that the replayed (class-balanced) rows weigh as much as the stream. With the probe: 0
     * for replayed rows, and for stream and probe rows n / (K n_c), where n_c counts those rows of class c and K the
     * classes among them, so that every class weighs the same and the total stays n. Attacked copies of probe texts
     * (from {@code probeEnd} on) weigh as a clean row of their class and are not counted in n or n_c, so they add to
     * the clean rows' weight and do not dilute it (a class with no clean row gives its copies no weight).
     */
    double[] weightScales(int[] targets, int stream, int replayEnd, int probeEnd, int known) {
        int n = targets.length;
        double[] scale = new double[n];
        if (!config.probe()) {
            double replayScale = n > stream ? stream / (double) (n - stream) : 0.0;
            for (int i = 0; i < n; i++) {
                scale[i] = i < stream ? 1.0 : replayScale;
            }
            return scale;
        }
        int[] perClass = new int[Math.max(1, known)];
        int used = 0;
        for (int i = 0; i < n; i++) {
            if ((i < stream || i >= replayEnd && i < probeEnd) && targets[i] < known) {
                perClass[targets[i]]++;
                used++;
            }
        }
        int present = 0;
        for (int c : perClass) {
            present += c > 0 ? 1 : 0;
        }
        for (int i = 0; i < n; i++) {
            if ((i < stream || i >= replayEnd) && targets[i] < known && perClass[targets[i]] > 0) {
                scale[i] = used / (double) (present * perClass[targets[i]]);
            }
        }
        return scale;
    }

    private TextFeatures features(String text) {
        return TextFeatures.of(tokenizer, text, config.wideBuckets());
    }

    private double[][] experts(TextFeatures f, float[] networkLogits, int row, int classes) {
        double[] net = new double[classes];
        for (int c = 0; c < classes; c++) {
            net[c] = networkLogits[row * classes + c];
        }
        double[] wideLogits = wide.logits(f, classes);
        double[] sum = new double[classes];
        for (int c = 0; c < classes; c++) {
            sum[c] = net[c] + wideLogits[c];
        }
        double[][] p = new double[EXPERTS.size()][];
        p[NETWORK] = Probabilities.softmax(net);
        p[WIDE] = Probabilities.softmax(wideLogits);
        p[NAIVE_BAYES] = Probabilities.softmax(naiveBayes.logScores(f, classes));
        p[SUM] = Probabilities.softmax(sum);
        return p;
    }

    /**
     * The weighted vote: each expert puts {@code 1 - SOFT} of its weight on its own prediction and {@code SOFT} of it
     * spread as its class distribution (which only decides near-ties and keeps the output a distribution).
     */
    private double[] mix(double[][] p, int classes) {
        double[] m = new double[classes];
        for (int k = 0; k < p.length; k++) {
            int vote = Probabilities.argmax(p[k]);
            m[vote] += weights[k] * (1 - SOFT);
            for (int c = 0; c < classes; c++) {
                m[c] += weights[k] * SOFT * p[k][c];
            }
        }
        return m;
    }

    private void updateWeights(double[][] p, int target, double scale, boolean fromStream) {
        int k = weights.length;
        double[] w = new double[k];
        double total = 0;
        for (int e = 0; e < k; e++) {
            boolean right = Probabilities.argmax(p[e]) == target;
            w[e] = weights[e] * (right ? 1.0 : StrictMath.exp(-config.mixtureRate() * scale));
            total += w[e];
            if (right && fromStream) {
                scored[e]++;
            }
        }
        if (fromStream) {
            scored[k]++;
        }
        double share = config.mixtureShare();
        for (int e = 0; e < k; e++) {
            double normalised = total > 0 ? w[e] / total : 1.0 / k;
            weights[e] = (float) ((1 - share) * normalised + share / k);
        }
    }

    /** Each expert's predicted class per text, [expert][text] in {@link #EXPERTS} order (diagnostics). */
    public int[][] expertPredictions(List<String> texts, float[] networkLogits, int classes) {
        int[][] out = new int[EXPERTS.size()][texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            double[][] p = experts(features(texts.get(i)), networkLogits, i, classes);
            for (int e = 0; e < p.length; e++) {
                out[e][i] = Probabilities.argmax(p[e]);
            }
        }
        return out;
    }

    /**
     * Up to {@code k} distinct words of {@code source} that naive Bayes finds most typical of class {@code toward}
     * against class {@code away} (positive log ratio of their rates only), most typical first.
     */
    public List<String> typicalWords(String source, int toward, int away, int k) {
        Map<String, Double> scored = new LinkedHashMap<>();
        for (String token : tokenizer.tokenize(source)) {
            scored.computeIfAbsent(token, t -> naiveBayes.typicality(TextFeatures.unigramSlot(t, config.wideBuckets()),
                    toward, away));
        }
        return scored.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(k).map(Map.Entry::getKey)
                .toList();
    }

    /** The mixture weight of each expert, by name. */
    public Map<String, Double> weights() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int e = 0; e < EXPERTS.size(); e++) {
            out.put(EXPERTS.get(e), (double) weights[e]);
        }
        return out;
    }

    /** Each expert's prequential accuracy on the labeled examples scored so far (NaN before any). */
    public Map<String, Double> expertAccuracies() {
        Map<String, Double> out = new LinkedHashMap<>();
        float n = scored[EXPERTS.size()];
        for (int e = 0; e < EXPERTS.size(); e++) {
            out.put(EXPERTS.get(e), n == 0 ? Double.NaN : scored[e] / (double) n);
        }
        return out;
    }

    /** Adds the state to {@code out}, every name starting with {@value #PREFIX}. */
    public void export(Map<String, TensorData> out) {
        wide.export(PREFIX + "wide.", out);
        naiveBayes.export(PREFIX + "naiveBayes.", out);
        out.put(PREFIX + "mixture.weights", Tensors.vector(weights));
        out.put(PREFIX + "mixture.scored", Tensors.vector(scored));
    }

    /**
     * Restores the state written by {@link #export}.
     *
     * @throws io.bulwark.model.snapshot.SnapshotFormatException if a tensor is missing or does not fit
     */
    public void load(Map<String, TensorData> in) {
        wide.load(PREFIX + "wide.", in);
        naiveBayes.load(PREFIX + "naiveBayes.", in);
        weights = Tensors.vector(in, PREFIX + "mixture.weights", EXPERTS.size());
        scored = Tensors.vector(in, PREFIX + "mixture.scored", EXPERTS.size() + 1);
    }

    /**
     * Splits a payload's tensors: returns those of the network and moves those of this part (named {@value #PREFIX}
     * ...) into {@code continual}.
     */
    public static Map<String, TensorData> split(Map<String, TensorData> all, Map<String, TensorData> continual) {
        Map<String, TensorData> network = new LinkedHashMap<>();
        all.forEach((k, v) -> (k.startsWith(PREFIX) ? continual : network).put(k, v));
        return network;
    }
}
