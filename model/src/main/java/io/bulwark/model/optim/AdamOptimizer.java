package io.bulwark.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.model.nn.Select;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019) on plain NDArrays.
 *
 * <p>Uses the paper's efficient form of the bias correction (end of section 2):
 * {@code m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; theta <- theta - lr_t m / (sqrt(v) + eps)} with
 * {@code lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)}. AdamW first decays weights decoupled from the gradient,
 * {@code theta <- theta - lr * wd * theta}; Adam adds {@code wd * theta} to the gradient (L2). On the PyTorch engine
 * the update is one fused native call for all dense tensors together (their values and gradients concatenated,
 * their moments views into one flat array) and one for the embedding's rows (in place, no autograd). Moments live
 * in the parameters' manager and are checkpointed by name.
 *
 * <p>The hashed embedding table is updated lazily, as PyTorch's SparseAdam and TensorFlow's LazyAdam do: only the
 * rows the batch used (the only rows whose gradient can be non-zero) are read, updated and written back, and the
 * moments and weight decay of the other rows wait until a batch uses them. An update then costs in proportion to
 * the batch instead of the 32768-row table, which otherwise dominates a CPU step.
 */
public final class AdamOptimizer {

    /** First-moment decay. */
    public static final float BETA1 = 0.9f;
    /** Second-moment decay. */
    public static final float BETA2 = 0.999f;
    /** Denominator epsilon. */
    public static final float EPS = 1e-8f;

    private final Parameters params;
    private final List<String> group = new ArrayList<>();
    private final NDArray groupFirst;
    private final NDArray groupSecond;
    private final Parameters firstMoments;
    private final Parameters secondMoments;
    private final LearningRateSchedule schedule;
    private final boolean decoupled;
    private final float weightDecay;
    private long step;

    /** An optimizer for {@code params} whose moments are allocated in {@code manager}. */
    public AdamOptimizer(Parameters params, NDManager manager, LearnerConfig config) {
        this.params = params;
        long size = 0;
        for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
            if (!e.getKey().equals(Network.EMBEDDING)) {
                group.add(e.getKey());
                size += e.getValue().size();
            }
        }
        this.groupFirst = manager.zeros(new Shape(size));
        this.groupSecond = manager.zeros(new Shape(size));
        this.firstMoments = moments(groupFirst, manager);
        this.secondMoments = moments(groupSecond, manager);
        this.schedule = new LearningRateSchedule(config);
        this.decoupled = config.optimizer() == LearnerConfig.OptimizerType.ADAMW;
        this.weightDecay = (float) config.weightDecay();
    }

    /**
     * Applies one update with the given (already clipped, finite) gradients; temporaries go to {@code stepManager}.
     *
     * @return the learning rate used
     */
    public double update(Map<String, NDArray> gradients, NDManager stepManager) {
        return update(gradients, Map.of(), stepManager);
    }

    /**
     * Applies one update; for a tensor named in {@code rowIndices}, its gradient holds only the listed rows ([R, ...]
     * in index order) and only those rows of the tensor and of its moments are updated.
     *
     * @return the learning rate used
     */
    public double update(Map<String, NDArray> gradients, Map<String, NDArray> rowIndices, NDManager stepManager) {
        return update(gradients, rowIndices, stepManager, null);
    }

    /**
     * Applies one update where {@code apply} (a 0-d boolean array on the device, or null for always) is true, and
     * leaves every parameter and moment bitwise unchanged where it is false, without reading the flag: each tensor
     * is updated in place and then set to {@code where(apply, updated, previous)}. Gradients may then hold NaN or
     * Inf. The step count advances either way; {@link #rewind} takes skipped updates back once they are known.
     *
     * @return the learning rate used
     */
    public double update(Map<String, NDArray> gradients, Map<String, NDArray> rowIndices, NDManager stepManager,
                         NDArray apply) {
        step++;
        double lr = schedule.rate(step);
        float corrected = (float) (lr * Math.sqrt(1.0 - Math.pow(BETA2, step)) / (1.0 - Math.pow(BETA1, step)));
        if (!group.isEmpty()) {
            updateGroup(gradients, stepManager, apply, (float) lr, corrected);
        }
        for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
            String name = e.getKey();
            if (group.contains(name)) {
                continue;
            }
            NDArray p = e.getValue();
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            NDArray rows = rowIndices.get(name);
            if (rows == null) {
                NDArray[] previous = apply == null ? null : copies(stepManager, p, m, v);
                apply(p, gradients.get(name), m, v, (float) lr, corrected, stepManager);
                if (previous != null) {
                    NDIndex all = new NDIndex("...");
                    p.set(all, Select.where(apply, p, previous[0]));
                    m.set(all, Select.where(apply, m, previous[1]));
                    v.set(all, Select.where(apply, v, previous[2]));
                }
            } else if (!rows.isEmpty()) {
                NDArray pr = rowsOf(p, rows);
                NDArray mr = rowsOf(m, rows);
                NDArray vr = rowsOf(v, rows);
                apply(pr, gradients.get(name), mr, vr, (float) lr, corrected, stepManager);
                NDIndex at = new NDIndex("{}", rows);
                // The tables still hold the old rows: gather them again for the rows that must not change.
                p.set(at, apply == null ? pr : Select.where(apply, pr, rowsOf(p, rows)));
                m.set(at, apply == null ? mr : Select.where(apply, mr, rowsOf(m, rows)));
                v.set(at, apply == null ? vr : Select.where(apply, vr, rowsOf(v, rows)));
            }
        }
        return lr;
    }

    /**
     * Zero moments named and shaped like the parameters: the dense group's are views into {@code flat} (so that
     * one fused call updates them all), the embedding's its own array.
     */
    private Parameters moments(NDArray flat, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
            NDArray p = e.getValue();
            if (group.contains(e.getKey())) {
                out.put(e.getKey(), flat.get(new NDIndex("{}:{}", offset, offset + p.size())).reshape(p.getShape()));
                offset += p.size();
            } else {
                out.put(e.getKey(), manager.zeros(p.getShape(), p.getDataType()));
            }
        }
        return new Parameters(out);
    }

    /**
     * The dense parameters (all but the embedding) as one group: their gradients and values concatenated, one fused
     * update of the flat copy against the flat moments, the masking on the three flat arrays, and the values
     * copied back. Adam is element-wise, so this gives the same bits as one update per tensor, in a fixed number of
     * native calls plus a few per tensor instead of an update and its masking per tensor.
     */
    private void updateGroup(Map<String, NDArray> gradients, NDManager stepManager, NDArray apply, float lr,
                             float corrected) {
        NDList g = new NDList();
        NDList p = new NDList();
        for (String name : group) {
            g.add(flat(gradients.get(name), stepManager));
            p.add(flat(params.get(name), stepManager));
        }
        NDArray flatGradient = g.size() == 1 ? g.singletonOrThrow() : NDArrays.concat(g);
        NDArray flatParams = p.size() == 1 ? p.singletonOrThrow().duplicate() : NDArrays.concat(p);
        NDArray[] previous = apply == null ? null : copies(stepManager, flatParams, groupFirst, groupSecond);
        apply(flatParams, flatGradient, groupFirst, groupSecond, lr, corrected, stepManager);
        NDIndex all = new NDIndex("...");
        if (previous != null) {
            flatParams = Select.where(apply, flatParams, previous[0]);
            groupFirst.set(all, Select.where(apply, groupFirst, previous[1]));
            groupSecond.set(all, Select.where(apply, groupSecond, previous[2]));
        }
        long offset = 0;
        for (String name : group) {
            NDArray target = params.get(name);
            target.set(all, flatParams.get(new NDIndex("{}:{}", offset, offset + target.size()))
                    .reshape(target.getShape()));
            offset += target.size();
        }
    }

    /** {@code a} as a 1-D view whose handle belongs to the step. */
    private static NDArray flat(NDArray a, NDManager stepManager) {
        NDArray f = a.reshape(-1);
        f.attach(stepManager);
        return f;
    }

    private static NDArray[] copies(NDManager stepManager, NDArray... arrays) {
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].duplicate();
            out[i].attach(stepManager);
        }
        return out;
    }

    /** Rows {@code rows} (int64 [R]) of a 2-D table, as a new [R, D] array in the manager of {@code rows}. */
    public static NDArray rowsOf(NDArray table, NDArray rows) {
        return Embedding.embedding(rows, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private void apply(NDArray p, NDArray g, NDArray m, NDArray v, float lr, float corrected, NDManager stepManager) {
        if (p instanceof PtNDArray pp && g instanceof PtNDArray pg && m instanceof PtNDArray pm
                && v instanceof PtNDArray pv) {
            JniUtils.adamUpdate(pp, pg, pm, pv, lr, corrected, weightDecay, 1f, -1f, BETA1, BETA2, EPS, decoupled);
        } else {
            portableUpdate(p, g, m, v, lr, corrected, stepManager);
        }
    }

    private void portableUpdate(NDArray p, NDArray g, NDArray m, NDArray v, float lr, float corrected,
                                NDManager stepManager) {
        NDArray grad = g;
        if (weightDecay > 0f) {
            NDArray decay = p.mul(decoupled ? lr * weightDecay : weightDecay);
            decay.attach(stepManager);
            if (decoupled) {
                p.subi(decay);
            } else {
                grad = g.add(decay);
            }
        }
        m.muli(BETA1).addi(grad.mul(1f - BETA1));
        v.muli(BETA2).addi(grad.square().mul(1f - BETA2));
        NDArray denom = v.sqrt();
        denom.attach(stepManager);
        NDArray delta = m.mul(corrected);
        delta.attach(stepManager);
        p.subi(delta.divi(denom.addi(EPS)));
    }

    /** Updates applied so far. */
    public long step() {
        return step;
    }

    /**
     * Takes back {@code skipped} updates of the step count that {@link #update(Map, Map, NDManager, NDArray)} advanced
     * but did not apply, once the caller has read how many there were (at the end of a training step). Between
     * batches the count is therefore the number of applied updates, as the bias correction and the schedule expect;
     * within a batch, an update that follows a skipped one uses the count one higher than if the skip had been
     * known at once.
     */
    public void rewind(int skipped) {
        step -= skipped;
    }

    /** Restores the update count (bias correction and schedule depend on it). */
    public void setStep(long step) {
        this.step = step;
    }

    /** The first moments. */
    public Parameters firstMoments() {
        return firstMoments;
    }

    /** The second moments. */
    public Parameters secondMoments() {
        return secondMoments;
    }
}
