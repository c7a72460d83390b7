package io.bulwark.study;

import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.StrategyType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One trained variant of the study: a training strategy with its step count, whether the Bregman proximal term
 * against an EMA teacher is on, how many times natural training replays each batch, and optional hyperparameter
 * overrides (for the sensitivity sweep).
 *
 * <p>Spelling: {@code natural}, {@code natural-x4} (natural training replaying each batch 4 times, the
 * equal-passes control of FreeAT-4), {@code pgd-3}, {@code freeat-4}, {@code freelb-3}, {@code yopo-4-3} (YOPO-m-n,
 * its n held as the override {@code inner}); {@code +ema} adds the Bregman/EMA term, e.g. {@code freeat-4+ema}.
 *
 * @param strategy the learner's strategy
 * @param steps K for PGD and FreeLB, m for FreeAT and YOPO, 1 for natural
 * @param replays times natural training trains on each batch (1 for the adversarial strategies)
 * @param ema whether the Bregman proximal term with an EMA teacher is on
 * @param overrides hyperparameter overrides by name: eps, alpha, lr, mu, beta, warmup (updates), ramp (the
 *     perturbation-radius ramp, in examples), inner (YOPO's n)
 */
public record Variant(StrategyType strategy, int steps, int replays, boolean ema, Map<String, Double> overrides) {

    /** Names accepted in {@link #overrides}. */
    public static final List<String> OVERRIDE_NAMES = List.of("eps", "alpha", "lr", "mu", "beta",
            "warmup", "ramp", "inner");

    /** Validates and copies the fields. */
    public Variant {
        Objects.requireNonNull(strategy, "strategy");
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (replays < 1 || (replays > 1 && strategy != StrategyType.NATURAL)) {
            throw new IllegalArgumentException("replays must be 1, or > 1 for natural training only, got " + replays);
        }
        for (Map.Entry<String, Double> e : overrides.entrySet()) {
            if (!OVERRIDE_NAMES.contains(e.getKey())) {
                throw new IllegalArgumentException("Unknown override '" + e.getKey() + "'; expected one of "
                        + OVERRIDE_NAMES);
            }
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("Override " + e.getKey() + " must be a finite number");
            }
        }
        overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    /** Parses each of {@code specs} with {@link #parse}, in order. */
    public static List<Variant> parseAll(List<String> specs) {
        List<Variant> out = new ArrayList<>();
        for (String spec : specs) {
            out.add(parse(spec));
        }
        return out;
    }

    /**
     * Parses a variant such as {@code freeat-4+ema}.
     *
     * @throws IllegalArgumentException with the accepted spellings when {@code spec} is not one
     */
    public static Variant parse(String spec) {
        String s = Objects.requireNonNull(spec, "spec").trim().toLowerCase(Locale.ROOT);
        boolean ema = false;
        if (s.endsWith("+ema")) {
            ema = true;
            s = s.substring(0, s.length() - 4);
        }
        try {
            if (s.equals("natural")) {
                return new Variant(StrategyType.NATURAL, 1, 1, ema, Map.of());
            }
            if (s.startsWith("natural-x")) {
                return new Variant(StrategyType.NATURAL, 1, Integer.parseInt(s.substring(9)), ema, Map.of());
            }
            if (s.startsWith("yopo-")) {
                String[] mn = s.substring(5).split("-");
                if (mn.length == 2) {
                    return new Variant(StrategyType.YOPO, Integer.parseInt(mn[0]), 1, ema,
                            Map.of("inner", Double.parseDouble(mn[1])));
                }
            }
            int dash = s.lastIndexOf('-');
            if (dash > 0) {
                String head = s.substring(0, dash);
                int k = Integer.parseInt(s.substring(dash + 1));
                switch (head) {
                    case "pgd":
                        return new Variant(StrategyType.PGD, k, 1, ema, Map.of());
                    case "freeat":
                    case "free":
                        return new Variant(StrategyType.FREEAT, k, 1, ema, Map.of());
                    case "freelb":
                        return new Variant(StrategyType.FREELB, k, 1, ema, Map.of());
                    default:
                        break;
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(badSpec(spec), e);
        }
        throw new IllegalArgumentException(badSpec(spec));
    }

    private static String badSpec(String spec) {
        return "Unknown variant '" + spec + "': expected natural, natural-xR, pgd-K, freeat-M, freelb-K or yopo-M-N,"
                + " optionally followed by +ema";
    }

    /** This variant with the Bregman/EMA term switched on or off. */
    public Variant withEma(boolean on) {
        return new Variant(strategy, steps, replays, on, overrides);
    }

    /** This variant with one more hyperparameter override. */
    public Variant withOverride(String name, double value) {
        Map<String, Double> o = new LinkedHashMap<>(overrides);
        o.put(name, value);
        return new Variant(strategy, steps, replays, ema, o);
    }

    /** The base name without the EMA flag or overrides, e.g. {@code freeat-4}. */
    public String baseName() {
        switch (strategy) {
            case NATURAL:
                return replays == 1 ? "natural" : "natural-x" + replays;
            case PGD:
                return "pgd-" + steps;
            case FREEAT:
                return "freeat-" + steps;
            case FREELB:
                return "freelb-" + steps;
            case YOPO:
                return "yopo-" + steps + "-" + innerSteps();
            default:
                throw new IllegalStateException("Unknown strategy " + strategy);
        }
    }

    /** The full name, e.g. {@code freeat-4+ema} or {@code freeat-4 eps=0.1}. */
    public String name() {
        StringBuilder b = new StringBuilder(baseName());
        if (ema) {
            b.append("+ema");
        }
        shownOverrides().forEach((k, v) -> b.append(' ').append(k).append('=').append(format(v)));
        return b.toString();
    }

    /** YOPO's n (the override {@code inner}, default 3). */
    private int innerSteps() {
        return (int) Math.round(overrides.getOrDefault("inner", 3.0));
    }

    /** The overrides that the base name does not already spell (YOPO's n is part of it). */
    private Map<String, Double> shownOverrides() {
        Map<String, Double> o = new LinkedHashMap<>(overrides);
        if (strategy == StrategyType.YOPO) {
            o.remove("inner");
        }
        return o;
    }

    /** The name in the paper's notation: Natural, PGD-K, Free-m, FreeLB-K (with replays and +EMA). */
    public String displayName() {
        String base;
        switch (strategy) {
            case NATURAL:
                base = replays == 1 ? "Natural" : "Natural x" + replays;
                break;
            case PGD:
                base = "PGD-" + steps;
                break;
            case FREEAT:
                base = "Free-" + steps;
                break;
            case YOPO:
                base = "YOPO-" + steps + "-" + innerSteps();
                break;
            default:
                base = "FreeLB-" + steps;
                break;
        }
        StringBuilder b = new StringBuilder(base);
        if (ema) {
            b.append(" +EMA");
        }
        shownOverrides().forEach((k, v) -> b.append(' ').append(k).append('=').append(format(v)));
        return b.toString();
    }

    /** Full forward/backward passes per batch: R replays, K+1 (PGD), m (FreeAT, YOPO), K (FreeLB). */
    public int passesPerBatch() {
        switch (strategy) {
            case NATURAL:
                return replays;
            case PGD:
                return steps + 1;
            default:
                return steps;
        }
    }

    /** Parameter updates per batch: R replays, 1 (PGD, FreeLB, YOPO), m (FreeAT). */
    public int updatesPerBatch() {
        switch (strategy) {
            case NATURAL:
                return replays;
            case FREEAT:
                return steps;
            default:
                return 1;
        }
    }

    /** Whether the variant trains on perturbed inputs. */
    public boolean adversarial() {
        return strategy != StrategyType.NATURAL;
    }

    /**
     * Applies the strategy, steps, the EMA switch and the overrides to a builder already holding the study's
     * defaults; {@code mu} is used only when the EMA term is on.
     */
    public LearnerConfig.Builder apply(LearnerConfig.Builder b, double mu) {
        b.optStrategy(strategy).optSteps(steps);
        double m = overrides.getOrDefault("mu", mu);
        b.optBregmanWeight(ema ? m : 0.0);
        Double v = overrides.get("eps");
        if (v != null) {
            b.optEpsilon(v);
        }
        v = overrides.get("alpha");
        if (v != null) {
            b.optAlpha(v);
        }
        v = overrides.get("lr");
        if (v != null) {
            b.optLearningRate(v);
        }
        v = overrides.get("beta");
        if (v != null) {
            b.optEmaMomentum(v);
        }
        v = overrides.get("warmup");
        if (v != null) {
            b.optWarmupSteps((int) Math.round(v));
        }
        v = overrides.get("inner");
        if (v != null) {
            b.optAdversary(b.adversary().withInnerSteps((int) Math.round(v)));
        }
        v = overrides.get("ramp");
        if (v != null) {
            b.optEpsilonRamp(Math.round(v));
        }
        return b;
    }

    static String format(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return name();
    }
}
