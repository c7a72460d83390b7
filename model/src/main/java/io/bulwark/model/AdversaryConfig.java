package io.bulwark.model;

/**
 * Options of the adversary beyond its strategy, steps, norm and radius: YOPO's inner steps, what FreeAT's carried
 * perturbation is keyed by, the unit of epsilon, and FreeAT's discrete word substitutions. Their keys, defaults and
 * rules are {@code strategy.innerSteps}, {@code strategy.deltaBank}, {@code strategy.epsilonScale} and
 * {@code strategy.discreteFlips} in {@link LearnerParams}; the defaults are the behaviour from before these keys.
 *
 * @param innerSteps YOPO's n: delta updates from the first layer's adjoint after each full pass
 * @param deltaBank what FreeAT's carried delta is keyed by
 * @param epsilonScale the unit epsilon and alpha are measured in
 * @param discreteFlips word substitutions per example and batch that FreeAT's replays train on (0 = none)
 */
public record AdversaryConfig(int innerSteps, DeltaBank deltaBank, EpsilonScale epsilonScale, int discreteFlips)
        implements java.io.Serializable {

    /** What FreeAT's carried perturbation is keyed by: batch row and position, or the word's hash bucket. */
    public enum DeltaBank { POSITION, TOKEN }

    /** The unit of epsilon: embedding units, or the batch's word-vector RMS relative to its initial 0.1. */
    public enum EpsilonScale { ABSOLUTE, EMBEDDING_RMS }

    /** The defaults. */
    public static final AdversaryConfig DEFAULTS = new AdversaryConfig(3, DeltaBank.POSITION, EpsilonScale.ABSOLUTE, 0);

    /** Validates. */
    public AdversaryConfig {
        if (innerSteps < 1 || innerSteps > 100) {
            throw new IllegalArgumentException("strategy.innerSteps must be in [1, 100], got " + innerSteps);
        }
        java.util.Objects.requireNonNull(deltaBank, "deltaBank");
        java.util.Objects.requireNonNull(epsilonScale, "epsilonScale");
        if (discreteFlips < 0 || discreteFlips > 64) {
            throw new IllegalArgumentException("strategy.discreteFlips must be in [0, 64], got " + discreteFlips);
        }
        if (discreteFlips > 0 && deltaBank != DeltaBank.POSITION) {
            throw new IllegalArgumentException("strategy.discreteFlips needs strategy.deltaBank=POSITION (it ranks"
                    + " positions by their gradient)");
        }
    }

    /** A copy with another YOPO n. */
    public AdversaryConfig withInnerSteps(int v) {
        return new AdversaryConfig(v, deltaBank, epsilonScale, discreteFlips);
    }

    /** A copy with another delta bank key. */
    public AdversaryConfig withDeltaBank(DeltaBank v) {
        return new AdversaryConfig(innerSteps, v, epsilonScale, discreteFlips);
    }

    /** A copy with another unit of epsilon. */
    public AdversaryConfig withEpsilonScale(EpsilonScale v) {
        return new AdversaryConfig(innerSteps, deltaBank, v, discreteFlips);
    }

    /** A copy with another number of discrete substitutions. */
    public AdversaryConfig withDiscreteFlips(int v) {
        return new AdversaryConfig(innerSteps, deltaBank, epsilonScale, v);
    }
}
