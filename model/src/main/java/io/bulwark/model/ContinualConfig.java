package io.bulwark.model;

/**
 * Settings of the learner's continual parts: the wide model and naive Bayes beside the network with an online
 * mixture of experts over them ({@code continual.ContinualHead}), and the class-balanced replay reservoir
 * ({@code continual.Replay}) with its probe of withheld examples that score the experts. Their keys, defaults and
 * rules are the {@code continual.*} parameters of {@link LearnerParams}; {@link LearnerConfig#fromStoredMap} switches
 * them off for a configuration stored before the keys existed, so such a model predicts as it did.
 */
public record ContinualConfig(boolean wide, int wideBuckets, double wideLearningRate, double mixtureRate,
                              double mixtureShare, int replayPerClass, double replayFraction, int probePerClass,
                              NaiveBayesKind naiveBayesKind, int wideAdversarialWords, int probeInjectedWords)
        implements java.io.Serializable {

    /**
     * How the naive Bayes expert estimates a class's word distribution: {@code MULTINOMIAL} from the class's own
     * counts with the class prior (McCallum and Nigam 1998), or {@code COMPLEMENT} from the counts of every other
     * class, without a prior (Rennie et al., "Tackling the Poor Assumptions of Naive Bayes Text Classifiers", 2003).
     * The complement estimate rests on many more words for a rare class, so a class that arrives late or stays rare
     * is not buried under the large classes' priors and better-estimated likelihoods. With two classes it is
     * multinomial naive Bayes with a uniform prior.
     */
    public enum NaiveBayesKind { MULTINOMIAL, COMPLEMENT }

    /** Prefix of every key. */
    public static final String PREFIX = "continual.";

    /** Default probe capacity per class. */
    static final int PROBE_DEFAULT = 50;

    /** Default number of words injected into the attacked copy of each probe text. */
    static final int PROBE_INJECTED_DEFAULT = 20;

    /** The defaults: the wide side, replay and the probe on. */
    public static final ContinualConfig DEFAULTS = new ContinualConfig(true, 1 << 17, 0.5, 0.5, 0.002, 200, 0.25,
            PROBE_DEFAULT, NaiveBayesKind.COMPLEMENT, 0, PROBE_INJECTED_DEFAULT);

    /** All off (no wide side, replay or probe): the learner of the network alone. */
    public static final ContinualConfig OFF = DEFAULTS.withWide(false).withReplayPerClass(0).withProbePerClass(0)
            .withProbeInjectedWords(0);

    /** Validates. */
    public ContinualConfig {
        check(wideBuckets >= 16 && wideBuckets <= (1 << 24), "continual.wideBuckets must be in [16, 2^24]", wideBuckets);
        check(wideLearningRate > 0 && Double.isFinite(wideLearningRate), "continual.wideLearningRate must be > 0",
                wideLearningRate);
        check(mixtureRate > 0 && Double.isFinite(mixtureRate), "continual.mixtureRate must be > 0", mixtureRate);
        check(mixtureShare >= 0 && mixtureShare < 1, "continual.mixtureShare must be in [0, 1)", mixtureShare);
        check(replayPerClass >= 0 && replayPerClass <= 1_000_000, "continual.replayPerClass must be in [0, 1e6]",
                replayPerClass);
        check(replayFraction >= 0 && replayFraction < 1, "continual.replayFraction must be in [0, 1)",
                replayFraction);
        check(naiveBayesKind != null, "continual.naiveBayesKind must be set", naiveBayesKind);
        check(wideAdversarialWords >= 0 && wideAdversarialWords <= 1000,
                "continual.wideAdversarialWords must be in [0, 1000]", wideAdversarialWords);
        check(probePerClass >= 0 && probePerClass <= 100_000, "continual.probePerClass must be in [0, 1e5]",
                probePerClass);
        check(probeInjectedWords >= 0 && probeInjectedWords <= 1000,
                "continual.probeInjectedWords must be in [0, 1000]", probeInjectedWords);
    }

    private static void check(boolean ok, String message, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
    }

    /** Whether the probe (examples withheld from training to weigh the mixture's experts) is on. */
    public boolean probe() {
        return probePerClass > 0 && wide;
    }

    /**
     * Whether the probe also scores the experts on copies of its texts with another class's words injected; the
     * words come from the replay reservoir, so it needs that too.
     */
    public boolean probeInjection() {
        return probe() && probeInjectedWords > 0 && replayPerClass > 0;
    }

    /** Whether the replay reservoir is on. */
    public boolean replay() {
        return replayPerClass > 0 && replayFraction > 0;
    }

    /**
     * Rows a training batch has beyond {@code batchSize} for replayed examples: {@code replayFraction} of the
     * enlarged batch, 0 without replay.
     */
    public int replaySlots(int batchSize) {
        return replay() ? replayedBeside(batchSize, replayFraction) : 0;
    }

    /** Replayed examples that make up {@code fraction} of a batch enlarged from {@code examples} stream examples. */
    public static int replayedBeside(int examples, double fraction) {
        return (int) Math.round(examples * fraction / (1 - fraction));
    }

    /** A copy with the wide part switched. */
    public ContinualConfig withWide(boolean v) {
        return new ContinualConfig(v, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords,
                probeInjectedWords);
    }

    /** A copy with other hash slots for the wide model and naive Bayes. */
    public ContinualConfig withWideBuckets(int v) {
        return new ContinualConfig(wide, v, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords,
                probeInjectedWords);
    }

    /** A copy with another AdaGrad step for the wide model. */
    public ContinualConfig withWideLearningRate(double v) {
        return new ContinualConfig(wide, wideBuckets, v, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords,
                probeInjectedWords);
    }

    /** A copy with another Hedge rate for the mixture. */
    public ContinualConfig withMixtureRate(double v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, v, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords,
                probeInjectedWords);
    }

    /** A copy with another fixed share for the mixture. */
    public ContinualConfig withMixtureShare(double v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, v,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords,
                probeInjectedWords);
    }

    /** A copy with another replay capacity. */
    public ContinualConfig withReplayPerClass(int v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                v, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords, probeInjectedWords);
    }

    /** A copy with another replayed share of each batch. */
    public ContinualConfig withReplayFraction(double v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, v, probePerClass, naiveBayesKind, wideAdversarialWords, probeInjectedWords);
    }

    /** A copy with another probe capacity (0 = no probe). */
    public ContinualConfig withProbePerClass(int v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, v, naiveBayesKind, wideAdversarialWords, probeInjectedWords);
    }

    /** A copy with another naive Bayes estimate. */
    public ContinualConfig withNaiveBayesKind(NaiveBayesKind v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, v, wideAdversarialWords, probeInjectedWords);
    }

    /** A copy with another number of worst-case features the wide model also trains on (0 = off). */
    public ContinualConfig withWideAdversarialWords(int v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, v, probeInjectedWords);
    }

    /** A copy with another number of words injected into the attacked copies of probe texts (0 = no copies). */
    public ContinualConfig withProbeInjectedWords(int v) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare,
                replayPerClass, replayFraction, probePerClass, naiveBayesKind, wideAdversarialWords, v);
    }
}
