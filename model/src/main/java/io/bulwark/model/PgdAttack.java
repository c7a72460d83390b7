package io.bulwark.model;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * White-box projected gradient descent attack in word-embedding space (Madry et al. 2018), used for robust accuracy.
 *
 * @param steps ascent steps per restart (>= 1)
 * @param epsilon radius of the perturbation ball (> 0)
 * @param alpha step size (> 0)
 * @param restarts random restarts (>= 1); an example is robust only if it is classified right under all of them
 * @param norm the ball's norm
 */
public record PgdAttack(int steps, double epsilon, double alpha, int restarts, LearnerConfig.NormType norm) {

    /** Validates the fields. */
    public PgdAttack {
        if (steps < 1) {
            throw new IllegalArgumentException("PGD attack steps must be >= 1, got " + steps);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("PGD attack epsilon must be finite and > 0, got " + epsilon);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("PGD attack alpha must be finite and > 0, got " + alpha);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("PGD attack restarts must be >= 1, got " + restarts);
        }
        Objects.requireNonNull(norm, "norm");
    }

    /** 10 steps, the configuration's epsilon and norm, alpha = 2.5 * epsilon / steps, one restart. */
    public static PgdAttack defaults(LearnerConfig config) {
        return new PgdAttack(10, config.epsilon(), 2.5 * config.epsilon() / 10, 1, config.norm());
    }

    /** A stable name such as {@code pgd-10-linf-eps0.05-r1}. */
    public String name() {
        return "pgd-" + steps + "-" + norm.name().toLowerCase(Locale.ROOT) + "-eps"
                + BigDecimal.valueOf(epsilon).stripTrailingZeros().toPlainString() + "-r" + restarts;
    }
}
