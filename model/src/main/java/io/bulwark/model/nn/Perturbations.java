package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.LearnerConfig.NormType;

/** Operations on embedding-space perturbations delta of shape [B, L, D]: initialisation, ascent steps, projection. */
public final class Perturbations {

    private static final float TINY = 1e-12f;

    private Perturbations() {}

    /** Per-example norm over the (L x D) slice, shape [B, 1, 1]. */
    public static NDArray perExampleNorm(NDArray x, NormType norm) {
        long b = x.getShape().get(0);
        return norm == NormType.LINF
                ? x.abs().reshape(b, -1).max(new int[] {1}, true).reshape(b, 1, 1)
                : x.square().sum(new int[] {1, 2}, true).sqrt();
    }

    /** Projects onto the eps-ball: clamp per coordinate (LINF) or rescale each example's slice (L2). */
    public static NDArray project(NDArray delta, NormType norm, double epsilon) {
        float eps = (float) epsilon;
        if (norm == NormType.LINF) {
            return delta.clip(-eps, eps);
        }
        NDArray n = perExampleNorm(delta, NormType.L2);
        // factor = min(1, eps / ||delta||)
        return delta.mul(n.maximum(eps).pow(-1f).mul(eps));
    }

    /**
     * Projects only the examples that lie outside the eps-ball and leaves the others bit for bit ({@link #project}
     * rescales an L2 example inside the ball by eps / eps, which need not be exactly 1 in float).
     */
    public static NDArray projectOutliers(NDArray delta, NormType norm, double epsilon) {
        if (norm == NormType.LINF) {
            return project(delta, norm, epsilon);
        }
        NDArray outside = perExampleNorm(delta, NormType.L2).gt((float) epsilon);
        return Select.where(outside, project(delta, norm, epsilon), delta);
    }

    /**
     * One ascent step of size {@code alpha} along {@code grad}: sign(g) for LINF when {@code signForLinf}, else the
     * gradient normalised per example by its own norm (L2 or LINF).
     */
    public static NDArray ascentStep(NDArray grad, NormType norm, double alpha, boolean signForLinf) {
        float a = (float) alpha;
        if (norm == NormType.LINF && signForLinf) {
            return grad.sign().mul(a);
        }
        return grad.div(perExampleNorm(grad, norm).add(TINY)).mul(a);
    }

    /** Mean over examples of the norm of the masked perturbation (one host read). */
    public static double meanMaskedNorm(NDArray delta, BatchInputs in, NormType norm) {
        return HostReads.scalar(meanMaskedNormArray(delta, in, norm));
    }

    /** Mean over examples of the norm of the masked perturbation, as a 0-d array on the device. */
    public static NDArray meanMaskedNormArray(NDArray delta, BatchInputs in, NormType norm) {
        return perExampleNorm(delta.mul(in.mask3()), norm).mean();
    }

    /**
     * A random start inside the ball (Madry et al.): uniform per coordinate for LINF; for L2 a Gaussian direction
     * over real tokens scaled to radius eps * u, u ~ U(0, 1).
     */
    public static NDArray randomInBall(NDManager manager, SeededRandom rng, BatchInputs in, int dim, NormType norm,
                                       double epsilon) {
        int b = in.size();
        int l = in.length();
        float[] d = new float[b * l * dim];
        float[] mask = in.maskValues();
        if (norm == NormType.LINF) {
            rng.fillUniform(d, epsilon);
        } else {
            rng.fillGaussian(d, 1.0);
            for (int i = 0; i < b; i++) {
                double sq = 0;
                for (int j = 0; j < l; j++) {
                    for (int k = 0; k < dim; k++) {
                        int idx = (i * l + j) * dim + k;
                        d[idx] *= mask[i * l + j];
                        sq += (double) d[idx] * d[idx];
                    }
                }
                double scale = sq > 0 ? epsilon * rng.nextDouble() / Math.sqrt(sq) : 0.0;
                for (int idx = i * l * dim; idx < (i + 1) * l * dim; idx++) {
                    d[idx] = (float) (d[idx] * scale);
                }
            }
        }
        return manager.create(d, new Shape(b, l, dim));
    }

    /**
     * FreeLB's initialisation (Zhu et al. 2020): uniform noise on real tokens, in [-mag, mag] for LINF, or in
     * [-1, 1] scaled by mag / sqrt(length * dim) per example for L2.
     */
    public static NDArray freeLbInit(NDManager manager, SeededRandom rng, BatchInputs in, int dim, NormType norm,
                                     double magnitude) {
        int b = in.size();
        int l = in.length();
        float[] d = new float[b * l * dim];
        float[] mask = in.maskValues();
        int[] lengths = in.lengthValues();
        rng.fillUniform(d, norm == NormType.LINF ? magnitude : 1.0);
        for (int i = 0; i < b; i++) {
            double scale = norm == NormType.LINF ? 1.0 : magnitude / Math.sqrt(Math.max(1, lengths[i]) * (double) dim);
            for (int j = 0; j < l; j++) {
                float s = (float) (mask[i * l + j] * scale);
                for (int k = 0; k < dim; k++) {
                    d[(i * l + j) * dim + k] *= s;
                }
            }
        }
        return manager.create(d, new Shape(b, l, dim));
    }

    /** Small Gaussian noise N(0, std^2) on real tokens (SMART's start). */
    public static NDArray gaussianNoise(NDManager manager, SeededRandom rng, BatchInputs in, int dim, double std) {
        int b = in.size();
        int l = in.length();
        float[] d = new float[b * l * dim];
        float[] mask = in.maskValues();
        rng.fillGaussian(d, std);
        for (int t = 0; t < b * l; t++) {
            for (int k = 0; k < dim; k++) {
                d[t * dim + k] *= mask[t];
            }
        }
        return manager.create(d, new Shape(b, l, dim));
    }

    /** Whether every element is finite (one host read; training code uses {@link #finiteFlag} instead). */
    public static boolean isFinite(NDArray x) {
        return Float.isFinite(HostReads.scalar(x.abs().sum()));
    }

    /**
     * Whether every element of {@code x} is finite, as a 0-d boolean array on the device (no host read). Like
     * {@link #isFinite}, a sum of absolute values that overflows counts as not finite.
     */
    public static NDArray finiteFlag(NDArray x) {
        return finiteScalar(x.abs().sum());
    }

    /** Whether the one-element array {@code s} is finite, as a 0-d boolean array: s - s equals itself. */
    public static NDArray finiteScalar(NDArray s) {
        NDArray zeroOrNaN = s.sub(s);
        return zeroOrNaN.eq(zeroOrNaN).reshape();
    }

    /**
     * The ascent step's outcome on the device: {@code next} where {@code gradient} is finite, else {@code current}
     * unchanged (what skipping the step on the host did, without reading the gradient).
     */
    public static NDArray keepIfFinite(NDArray gradient, NDArray next, NDArray current) {
        return Select.where(finiteFlag(gradient), next, current);
    }
}
