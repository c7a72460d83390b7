package io.bulwark.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.Scalars;
import java.util.Collection;
import java.util.Map;

/**
 * Global gradient-norm computation and clipping (Pascanu et al. 2013), on the device: the norm is one reduction over
 * all gradients concatenated, and the clip factor multiplies every gradient without a host read.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /** The sum of squares of all gradients as a 0-d array on the device (NaN or Inf if a gradient is not finite). */
    public static NDArray sumOfSquares(Collection<NDArray> gradients) {
        NDList flat = new NDList();
        for (NDArray g : gradients) {
            flat.add(g.reshape(-1));
        }
        NDArray all = flat.size() == 1 ? flat.singletonOrThrow() : NDArrays.concat(flat);
        return all.square().sum();
    }

    /** The global L2 norm of all gradients, read to the host (NaN or Inf if any gradient is non-finite). */
    public static double globalNorm(Map<String, NDArray> gradients) {
        return gradients.isEmpty() ? 0.0 : Math.sqrt(HostReads.scalar(sumOfSquares(gradients.values())));
    }

    /**
     * Scales the gradients in place by {@code min(1, maxNorm / (norm + 1e-6))}, where norm is the square root of
     * {@code sumOfSquares}; nothing when {@code maxNorm <= 0}. A factor of exactly 1 leaves gradients bitwise unchanged.
     */
    public static void clip(Collection<NDArray> gradients, NDArray sumOfSquares, double maxNorm) {
        if (maxNorm <= 0) {
            return;
        }
        NDArray norm = sumOfSquares.sqrt();
        NDArray scale = Scalars.of(norm, (float) maxNorm).div(norm.add(Scalars.of(norm, 1e-6f)))
                .minimum(Scalars.of(norm, 1f));
        for (NDArray g : gradients) {
            g.muli(scale);
        }
    }
}
