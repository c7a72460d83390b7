package io.bulwark.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the learner's continual parts: the wide model and naive Bayes beside the network with an online
 * mixture of experts over them ({@link ContinualHead}), and the class-balanced replay reservoir ({@link Replay}).
 *
 * <p>Keys of the learner's configuration map ({@code continual.*}); every key has a default and a validator:
 * <table>
 *   <caption>continual keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>continual.wide</td><td>true</td><td>wide model, naive Bayes and the mixture beside the network</td></tr>
 *   <tr><td>continual.wideBuckets</td><td>131072</td><td>hash slots of the wide and naive Bayes features</td></tr>
 *   <tr><td>continual.wideLearningRate</td><td>0.5</td><td>AdaGrad step of the wide model</td></tr>
 *   <tr><td>continual.mixtureRate</td><td>2.0</td><td>Hedge learning rate (per example, loss: the expert's mistake)</td></tr>
 *   <tr><td>continual.mixtureShare</td><td>0.002</td><td>fixed-share mixing (tracks a changing best expert)</td></tr>
 *   <tr><td>continual.replayPerClass</td><td>200</td><td>replay reservoir capacity per class (0 = off)</td></tr>
 *   <tr><td>continual.replayFraction</td><td>0.25</td><td>share of each training batch drawn from replay</td></tr>
 * </table>
 *
 * <p>Stored configurations (snapshots and checkpoints) written before these keys existed hold none of them; they
 * are read with {@link #fromStoredMap}, which switches both parts off so such a model predicts as before.
 */
public record ContinualConfig(boolean wide, int wideBuckets, double wideLearningRate, double mixtureRate,
                              double mixtureShare, int replayPerClass, double replayFraction)
        implements java.io.Serializable {

    /** Prefix of every key. */
    public static final String PREFIX = "continual.";

    static final String K_WIDE = "continual.wide";
    static final String K_BUCKETS = "continual.wideBuckets";
    static final String K_WIDE_LR = "continual.wideLearningRate";
    static final String K_MIX_RATE = "continual.mixtureRate";
    static final String K_MIX_SHARE = "continual.mixtureShare";
    static final String K_REPLAY = "continual.replayPerClass";
    static final String K_REPLAY_FRACTION = "continual.replayFraction";

    /** The defaults: both parts on. */
    public static final ContinualConfig DEFAULTS = new ContinualConfig(true, 1 << 17, 0.5, 2.0, 0.002, 200, 0.25);

    /** Both parts off: the learner of the network alone. */
    public static final ContinualConfig OFF = DEFAULTS.withWide(false).withReplayPerClass(0);

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
    }

    private static void check(boolean ok, String message, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
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
        return replay() ? (int) Math.round(batchSize * replayFraction / (1 - replayFraction)) : 0;
    }

    /** Whether any continual part is on. */
    public boolean enabled() {
        return wide || replay();
    }

    /** A copy with the wide part switched. */
    public ContinualConfig withWide(boolean on) {
        return new ContinualConfig(on, wideBuckets, wideLearningRate, mixtureRate, mixtureShare, replayPerClass,
                replayFraction);
    }

    /** A copy with another replay capacity. */
    public ContinualConfig withReplayPerClass(int perClass) {
        return new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate, mixtureShare, perClass,
                replayFraction);
    }

    /** Every key with its value. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(K_WIDE, Boolean.toString(wide));
        m.put(K_BUCKETS, Integer.toString(wideBuckets));
        m.put(K_WIDE_LR, Double.toString(wideLearningRate));
        m.put(K_MIX_RATE, Double.toString(mixtureRate));
        m.put(K_MIX_SHARE, Double.toString(mixtureShare));
        m.put(K_REPLAY, Integer.toString(replayPerClass));
        m.put(K_REPLAY_FRACTION, Double.toString(replayFraction));
        return m;
    }

    /** Whether {@code key} is one of these settings. */
    public static boolean isKey(String key) {
        return DEFAULTS.toMap().containsKey(key);
    }

    /**
     * This configuration with one key changed.
     *
     * @throws IllegalArgumentException on an unknown key or an invalid value
     */
    public ContinualConfig with(String key, String value) {
        String v = value == null ? "" : value.trim();
        try {
            return switch (key) {
                case K_WIDE -> withWide(parseBoolean(v));
                case K_BUCKETS -> new ContinualConfig(wide, Integer.parseInt(v), wideLearningRate, mixtureRate,
                        mixtureShare, replayPerClass, replayFraction);
                case K_WIDE_LR -> new ContinualConfig(wide, wideBuckets, Double.parseDouble(v), mixtureRate,
                        mixtureShare, replayPerClass, replayFraction);
                case K_MIX_RATE -> new ContinualConfig(wide, wideBuckets, wideLearningRate, Double.parseDouble(v),
                        mixtureShare, replayPerClass, replayFraction);
                case K_MIX_SHARE -> new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate,
                        Double.parseDouble(v), replayPerClass, replayFraction);
                case K_REPLAY -> withReplayPerClass(Integer.parseInt(v));
                case K_REPLAY_FRACTION -> new ContinualConfig(wide, wideBuckets, wideLearningRate, mixtureRate,
                        mixtureShare, replayPerClass, Double.parseDouble(v));
                default -> throw new IllegalArgumentException("Unknown continual key '" + key + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value '" + v + "' for '" + key + "': " + e.getMessage(), e);
        }
    }

    /**
     * The settings of a stored configuration map: the {@code continual.*} keys it holds over the defaults, or
     * {@link #OFF} when it holds none (a model saved before these parts existed keeps its behaviour).
     */
    public static ContinualConfig fromStoredMap(Map<String, String> stored) {
        boolean any = stored.keySet().stream().anyMatch(ContinualConfig::isKey);
        if (!any) {
            return OFF;
        }
        ContinualConfig c = DEFAULTS;
        for (Map.Entry<String, String> e : stored.entrySet()) {
            if (isKey(e.getKey())) {
                c = c.with(e.getKey(), e.getValue());
            }
        }
        return c;
    }

    private static boolean parseBoolean(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("Expected true or false, got '" + v + "'");
    }
}
