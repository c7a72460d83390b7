package io.bulwark.model.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Global gradient-norm computation and clipping (Pascanu et al. 2013). */
public final class GradientClipping {

    private GradientClipping() {}

    /** The global L2 norm of all gradients (NaN or Inf if any gradient is non-finite). */
    public static double globalNorm(Map<String, NDArray> gradients) {
        NDArray total = null;
        for (NDArray g : gradients.values()) {
            NDArray s = g.square().sum();
            total = total == null ? s : total.add(s);
        }
        return total == null ? 0.0 : Math.sqrt(total.getFloat());
    }

    /** Scales the gradients in place so their global norm is at most {@code maxNorm}; returns the scale used. */
    public static double clip(Map<String, NDArray> gradients, double norm, double maxNorm) {
        if (maxNorm <= 0 || norm <= maxNorm) {
            return 1.0;
        }
        float scale = (float) (maxNorm / (norm + 1e-6));
        for (NDArray g : gradients.values()) {
            g.muli(scale);
        }
        return scale;
    }
}
