package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Inverted-dropout masks for one training step, drawn from the learner's {@link SeededRandom} the first time a site
 * is used and then reused by every forward pass of the step (replays, ascent steps, regulariser passes).
 *
 * <p>Holding masks fixed is what makes FreeLB's averaged gradient and FreeAT's replays consistent: each pass
 * differentiates the same sub-network. Masks are Java-side random numbers, so they are reproducible and checkpointed
 * through the generator's state.
 */
public final class DropoutMasks {

    private final SeededRandom rng;
    private final float rate;
    private final NDManager manager;
    private final Map<String, NDArray> masks = new HashMap<>();
    private BiConsumer<String, NDArray> observer;

    /** Masks with drop probability {@code rate}, allocated in the step's manager. */
    public DropoutMasks(SeededRandom rng, double rate, NDManager manager) {
        this.rng = rng;
        this.rate = (float) rate;
        this.manager = manager;
    }

    /** Calls {@code observer} with (site, mask) each time a mask is applied. */
    public void setObserver(BiConsumer<String, NDArray> observer) {
        this.observer = observer;
    }

    /** Applies the site's mask to {@code x} (identity when the rate is 0). */
    public NDArray apply(String site, NDArray x) {
        if (rate <= 0f) {
            return x;
        }
        NDArray mask = masks.get(site);
        if (mask == null) {
            mask = draw(x.getShape());
            masks.put(site, mask);
        } else if (!mask.getShape().equals(x.getShape())) {
            throw new IllegalStateException("Dropout site '" + site + "' used with shape " + x.getShape()
                    + " after " + mask.getShape());
        }
        if (observer != null) {
            observer.accept(site, mask);
        }
        return x.mul(mask);
    }

    private NDArray draw(Shape shape) {
        int n = Math.toIntExact(shape.size());
        float[] m = new float[n];
        float keep = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextFloat() < rate ? 0f : keep;
        }
        return manager.create(m, shape);
    }
}
