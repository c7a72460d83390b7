package io.bulwark.model.strategy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.nn.Autograd;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.Perturbations;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.optim.GradientClipping;
import io.bulwark.model.nn.PassResult;
import io.bulwark.model.regularizer.Regularizer;
import io.bulwark.model.regularizer.RegularizerContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one training step needs: the batch as arrays in the step's manager, the network and its parameters,
 * the step's fixed dropout masks, the optimizer, the regularisers, and counters of passes and updates.
 *
 * <p>Gradient discipline: every pass zeroes the gradients it is about to collect (libtorch accumulates), every
 * gradient handle is attached to the step's manager, and an update whose loss or gradients are not finite is masked
 * out on the device without changing parameters, optimizer moments or the teacher.
 *
 * <p>Host reads: passes and updates keep every value on the device (loss, finiteness, clip norm); {@link #finish}
 * reads the step's outcome once, so a step costs one device-to-host transfer however many passes it makes.
 */
public final class StepContext implements RegularizerContext {

    private static final Logger LOG = LoggerFactory.getLogger(StepContext.class);

    private final LearnerConfig config;
    private final Network network;
    private final Parameters params;
    private final Parameters teacher;
    private final AdamOptimizer optimizer;
    private final List<Regularizer> regularizers;
    private BatchInputs inputs;
    private final NDArray oneHot;
    private final NDArray weights;
    private final float weightSum;
    private final int numLabels;
    private final DropoutMasks dropout;
    private final SeededRandom rng;
    private final StepListener listener;
    private final NDManager manager;

    private final double radiusScale;
    private Parameters view;
    private int passes;
    private int firstLayerPasses;
    private int attempts;
    private int skipped;
    private double meanLoss;
    private NDArray lossSum;
    private NDArray skips;
    private NDArray lastApplied;
    private NDArray perturbationNorm;
    private NDArray cleanLogits;

    private StepContext(Builder b) {
        this.config = b.config;
        this.network = b.network;
        this.params = b.params;
        this.teacher = b.teacher;
        this.optimizer = b.optimizer;
        this.regularizers = b.regularizers;
        this.inputs = b.inputs;
        this.oneHot = b.oneHot;
        this.weights = b.weights;
        this.weightSum = b.weightSum;
        this.numLabels = b.numLabels;
        this.dropout = b.dropout;
        this.rng = b.rng;
        this.listener = b.listener == null ? StepListener.NONE : b.listener;
        this.manager = b.manager;
        this.radiusScale = b.radiusScale;
        dropout.setObserver((site, mask) -> this.listener.onDropoutMask(passes, site, mask));
    }

    /** A builder of the context of one step that runs {@code network} in {@code manager}. */
    public static Builder builder(LearnerConfig config, Network network, NDManager manager) {
        return new Builder(config, network, manager);
    }

    /**
     * Builds a {@link StepContext}. Required: the student's parameters, the optimizer, the batch with its one-hot
     * targets and weights, the dropout masks and the random source; all arrays must live in the step's manager.
     */
    public static final class Builder {
        private final LearnerConfig config;
        private final Network network;
        private final NDManager manager;
        private Parameters params;
        private Parameters teacher;
        private AdamOptimizer optimizer;
        private List<Regularizer> regularizers = List.of();
        private BatchInputs inputs;
        private NDArray oneHot;
        private NDArray weights;
        private float weightSum;
        private int numLabels;
        private DropoutMasks dropout;
        private SeededRandom rng;
        private StepListener listener;
        private double radiusScale = 1.0;

        private Builder(LearnerConfig config, Network network, NDManager manager) {
            this.config = config;
            this.network = network;
            this.manager = manager;
        }

        /** The student's parameters, updated by the step. */
        public Builder setParams(Parameters v) { params = v; return this; }

        /** The EMA teacher's parameters, or null without a teacher. */
        public Builder optTeacher(Parameters v) { teacher = v; return this; }

        /** The optimizer of the student. */
        public Builder setOptimizer(AdamOptimizer v) { optimizer = v; return this; }

        /** The terms added to every update's loss (default none). */
        public Builder optRegularizers(List<Regularizer> v) { regularizers = List.copyOf(v); return this; }

        /**
         * The batch: its inputs, one-hot targets over {@code numLabels} known labels (zero rows for unlabeled
         * examples), per-example weights and their sum over labeled examples.
         */
        public Builder setBatch(BatchInputs in, NDArray oneHotTargets, NDArray exampleWeights, float sumOfWeights,
                                int knownLabels) {
            inputs = in;
            oneHot = oneHotTargets;
            weights = exampleWeights;
            weightSum = sumOfWeights;
            numLabels = knownLabels;
            return this;
        }

        /** The step's dropout masks, fixed for all its passes. */
        public Builder setDropout(DropoutMasks v) { dropout = v; return this; }

        /** The step's random source. */
        public Builder setRng(SeededRandom v) { rng = v; return this; }

        /** Observer of passes, updates and masks (default none). */
        public Builder optListener(StepListener v) { listener = v; return this; }

        /** The factor in (0, 1] of the radius ramp applied to epsilon, alpha and the init magnitude (default 1). */
        public Builder optRadiusScale(double v) { radiusScale = v; return this; }

        /** Builds the context. */
        public StepContext build() {
            if (params == null || optimizer == null || inputs == null || oneHot == null || weights == null
                    || dropout == null || rng == null) {
                throw new IllegalStateException("A step needs params, optimizer, batch, dropout and rng");
            }
            return new StepContext(this);
        }
    }

    // ---- forward ---------------------------------------------------------------------------------------------

    /**
     * Logits over the known labels of network {@code p} at x + delta (delta may be null), with the step's dropout
     * masks when {@code train}, else in evaluation mode.
     */
    @Override
    public NDArray logits(Parameters p, NDArray delta, boolean train) {
        return known(network.forward(p == params ? studentView() : p, inputs, delta, train ? dropout : null));
    }

    private NDArray known(NDArray out) {
        return numLabels < config.outputSize() ? out.get(new NDIndex(":, 0:{}", numLabels)) : out;
    }

    /** The student's clean logits of the current pass (computed once per pass, part of its graph). */
    @Override
    public NDArray studentCleanLogits() {
        if (cleanLogits == null) {
            cleanLogits = logits(params, null, true);
        }
        return cleanLogits;
    }

    /**
     * The student as the network sees it in this step: its parameters with the embedding table narrowed to the
     * batch's rows ({@link Parameters#withBatchLocalEmbedding}), so that parameter gradients never touch the rows the
     * batch does not use. Gathered once and again after every update, always outside the autograd recording, so
     * the local table is a leaf of its own.
     */
    private Parameters studentView() {
        if (view == null) {
            NDArray table = params.get(Network.EMBEDDING);
            table.setRequiresGradient(false);
            NDArray local = AdamOptimizer.rowsOf(table, inputs.localRowArray()).stopGradient();
            local.attach(manager);
            view = params.withBatchLocalEmbedding(local);
        }
        return view;
    }

    /** Weighted cross-entropy of {@code logits} against the batch's labels (0 when no example is labeled). */
    public NDArray taskLoss(NDArray logits) {
        return Losses.crossEntropy(logits, oneHot, weights, weightSum);
    }

    // ---- passes ----------------------------------------------------------------------------------------------

    /**
     * One training pass at x + delta: task loss plus every regulariser's term, one backward.
     *
     * @param delta the perturbation leaf (may be null for a clean pass)
     * @param deltaGradient whether to return the gradient with respect to delta
     * @param zeroParamGradients whether to zero parameter gradients first (false accumulates, as FreeLB does)
     */
    public PassResult trainingPass(NDArray delta, boolean deltaGradient, boolean zeroParamGradients) {
        return pass(delta, deltaGradient, true, zeroParamGradients, logits -> {
            NDArray loss = taskLoss(logits);
            for (Regularizer r : regularizers) {
                loss = loss.add(r.term(this));
            }
            return loss;
        });
    }

    /** An ascent pass: gradient of the task loss with respect to delta only (parameters frozen). */
    public PassResult ascentPass(NDArray delta) {
        return pass(delta, true, false, false, this::taskLoss);
    }

    /**
     * A general pass: {@code lossOf} maps the logits at x + delta to a scalar loss, which is back-propagated.
     *
     * @param paramGradients whether parameter gradients are collected
     * @param zeroParamGradients whether they are zeroed first
     */
    @Override
    public PassResult pass(NDArray delta, boolean deltaGradient, boolean paramGradients, boolean zeroParamGradients,
                           Function<NDArray, NDArray> lossOf) {
        int index = passes;
        Parameters student = beginPass(delta, deltaGradient, paramGradients, zeroParamGradients);
        NDArray loss = Autograd.backward(() -> listener.adjustLoss(index, lossOf.apply(logits(params, delta, true))));
        passes++;
        cleanLogits = null;
        NDArray g = null;
        if (delta != null && deltaGradient) {
            g = delta.getGradient();
            g.attach(manager);
        }
        if (paramGradients && listener.wantsPassGradients()) {
            listener.afterBackward(index, student.gradients(manager));
        }
        return new PassResult(loss, g);
    }

    private Parameters beginPass(NDArray delta, boolean deltaGradient, boolean paramGradients,
                                 boolean zeroParamGradients) {
        cleanLogits = null;
        Parameters student = studentView();
        student.setRequiresGradient(paramGradients);
        if (paramGradients && zeroParamGradients) {
            student.zeroGradients();
        }
        if (delta != null && deltaGradient) {
            delta.setRequiresGradient(true);
        }
        listener.onPassStart(passes, delta);
        return student;
    }

    /**
     * YOPO's full pass (Zhang et al. 2019, "You Only Propagate Once"): the first layer h0 = f0(x + delta)
     * ({@link Network#firstLayer}), then the rest of the network from a detached copy of h0. The backward of the
     * training loss (task plus regularisers) gives the rest's parameter gradients and the adjoint p = dL/dh0; a
     * second backward of sum(p * h0) carries it through the first layer to its parameters and to delta. Together
     * that is one forward and one backward of the whole network. Parameter gradients accumulate unless
     * {@code zeroParamGradients}. Nothing is read to the host.
     */
    public AdjointPass adjointPass(NDArray delta, boolean zeroParamGradients) {
        int index = passes;
        Parameters student = beginPass(delta, true, true, zeroParamGradients);
        NDArray[] firstLayer = new NDArray[2];
        NDArray loss = Autograd.backward(() -> {
            firstLayer[0] = network.firstLayer(student, inputs, delta, dropout);
            firstLayer[1] = firstLayer[0].stopGradient();
            firstLayer[1].setRequiresGradient(true);
            NDArray l = taskLoss(known(network.fromFirstLayer(student, inputs, firstLayer[1], dropout)));
            for (Regularizer r : regularizers) {
                l = l.add(r.term(this));
            }
            return listener.adjustLoss(index, l);
        });
        NDArray adjoint = firstLayer[1].getGradient().stopGradient();
        adjoint.attach(manager);
        Autograd.backward(() -> firstLayer[0].mul(adjoint).sum());
        passes++;
        cleanLogits = null;
        NDArray g = delta.getGradient();
        g.attach(manager);
        return new AdjointPass(loss, adjoint, g);
    }

    /**
     * The gradient with respect to {@code delta} of sum(adjoint * f0(x + delta)): one forward and one backward of
     * the first layer only, parameters frozen. This is YOPO's cheap step; with the adjoint of the last full pass it
     * approximates the loss gradient at the new delta.
     */
    public NDArray firstLayerDeltaGradient(NDArray adjoint, NDArray delta) {
        Parameters student = studentView();
        student.setRequiresGradient(false);
        delta.setRequiresGradient(true);
        Autograd.backward(() -> network.firstLayer(student, inputs, delta, dropout).mul(adjoint).sum());
        firstLayerPasses++;
        NDArray g = delta.getGradient();
        g.attach(manager);
        return g;
    }

    /**
     * Outcome of {@link #adjointPass}; every array stays on the device.
     *
     * @param lossArray the training loss (0-d)
     * @param adjoint dL/dh0, the gradient at the first layer's output (detached)
     * @param deltaGradient dL/d delta
     */
    public record AdjointPass(NDArray lossArray, NDArray adjoint, NDArray deltaGradient) {

        /** The loss value, read from the device: one host read (the strategies never call it). */
        public float loss() {
            return HostReads.scalar(lossArray);
        }
    }

    /**
     * Replaces, in each labeled example, the word whose substitution by another word of the batch raises the loss
     * most to first order, judged from {@code deltaGradient} (the loss gradient at each position's word vector, from
     * the last pass): {@link DiscreteFlips}. The passes that follow in this step see the new words; mask, lengths and
     * embedding rows are unchanged. No host read.
     */
    public void substituteWords(NDArray deltaGradient) {
        Parameters student = studentView();
        NDArray words = network.wordVectors(student, inputs);
        NDArray atPositions = AdamOptimizer.rowsOf(words, inputs.wordIndex().flatten())
                .reshape(inputs.size(), inputs.length(), -1);
        inputs = inputs.withWordIndex(DiscreteFlips.substitute(inputs.wordIndex(), inputs.mask(), weights,
                deltaGradient, atPositions, words));
        cleanLogits = null;
    }

    // ---- updates ---------------------------------------------------------------------------------------------

    /**
     * Applies one update with the accumulated parameter gradients times {@code gradientScale}, on the device: the
     * global norm and the finiteness of loss and gradients are computed there, and an update whose loss or gradients
     * are not finite is masked out (parameters, optimizer moments and the teacher keep every bit) and counted as
     * skipped. Nothing is read to the host; {@link #finish} reads the outcome once per step.
     *
     * @param loss the loss of the pass(es) behind the gradients (a 0-d array), recorded for the step's mean loss
     */
    public void update(NDArray loss, double gradientScale) {
        Map<String, NDArray> grads = studentView().gradients(manager);
        if (gradientScale != 1.0) {
            for (NDArray g : grads.values()) {
                g.muli((float) gradientScale);
            }
        }
        listener.beforeUpdate(attempts, grads);
        // The embedding gradient exists only for the batch's rows (local row 0 is padding): clip and update those.
        Map<String, NDArray> applied = new LinkedHashMap<>(grads);
        NDArray localGradient = grads.get(Network.EMBEDDING).get(new NDIndex("1:"));
        localGradient.attach(manager);
        applied.put(Network.EMBEDDING, localGradient);
        NDArray squares = GradientClipping.sumOfSquares(applied.values());
        NDArray ok = Perturbations.finiteScalar(loss.add(squares));
        NDArray skip = ok.logicalNot().toType(DataType.FLOAT32, false);
        lossSum = lossSum == null ? loss : lossSum.add(loss);
        skips = skips == null ? skip : skips.add(skip);
        attempts++;
        GradientClipping.clip(applied.values(), squares, config.clipNorm());
        optimizer.update(applied, Map.of(Network.EMBEDDING, inputs.rowArray()), manager, ok);
        view = null; // the next pass gathers the updated rows
        lastApplied = ok;
        for (Regularizer r : regularizers) {
            r.afterUpdate(this);
        }
    }

    /** {@link #update(NDArray, double)} with a loss value known on the host. */
    public void update(double loss, double gradientScale) {
        update(manager.create((float) loss), gradientScale);
    }

    /**
     * Records the step's perturbation: the mean norm of the masked delta is computed on the device and read by
     * {@link #finish} with the step's other values.
     *
     * @return NaN, which a strategy returns from {@link TrainingStrategy#step} to say the norm was recorded here
     */
    public double recordPerturbation(NDArray delta) {
        perturbationNorm = Perturbations.meanMaskedNormArray(delta, inputs, config.norm());
        return Double.NaN;
    }

    /**
     * Ends the step: reads its loss sum, skipped updates and recorded perturbation norm together with {@code extra}
     * arrays in ONE device-to-host transfer, and winds the optimizer's step count back by the skipped updates.
     *
     * @param extra further arrays to read (nulls skipped); their values, flattened in order, are
     *     {@link Outcome#extra()}
     */
    public Outcome finish(NDArray... extra) {
        NDArray[] arrays = new NDArray[extra.length + 3];
        arrays[0] = lossSum;
        arrays[1] = skips;
        arrays[2] = perturbationNorm;
        System.arraycopy(extra, 0, arrays, 3, extra.length);
        float[] v = HostReads.all(arrays);
        int at = 0;
        double sum = lossSum == null ? 0.0 : v[at++];
        skipped = skips == null ? 0 : Math.round(v[at++]);
        double norm = perturbationNorm == null ? Double.NaN : v[at++];
        float[] rest = java.util.Arrays.copyOfRange(v, at, v.length);
        optimizer.rewind(skipped);
        if (skipped > 0) {
            LOG.warn("Skipped {} of {} updates: non-finite loss or gradient (loss sum {})", skipped, attempts, sum);
        }
        meanLoss = skipped > 0 ? Double.NaN : attempts == 0 ? 0.0 : sum / attempts;
        return new Outcome(meanLoss, attempts - skipped, skipped, norm, rest);
    }

    /**
     * What {@link #finish} read.
     *
     * @param meanLoss mean loss over the attempted updates (NaN if one was skipped, 0 if none)
     * @param updates updates applied
     * @param skipped updates skipped for a non-finite loss or gradient
     * @param perturbationNorm the recorded perturbation's mean norm, NaN if none was recorded
     * @param extra the values of the extra arrays, flattened and concatenated
     */
    public record Outcome(double meanLoss, int updates, int skipped, double perturbationNorm, float[] extra) {}

    @Override
    public NDArray updateApplied() {
        return lastApplied;
    }

    /** Runs every regulariser's {@link Regularizer#prepare} (before the passes of one update). */
    public void prepareRegularizers() {
        for (Regularizer r : regularizers) {
            r.prepare(this);
        }
    }

    // ---- accessors -------------------------------------------------------------------------------------------

    /** The configuration. */
    public LearnerConfig config() { return config; }

    /** The radius of the perturbation ball in this step: the configured epsilon times the ramp factor. */
    @Override
    public double epsilon() { return config.epsilon() * radiusScale; }

    /** The ascent step size in this step: the configured alpha times the ramp factor. */
    @Override
    public double alpha() { return config.alpha() * radiusScale; }

    /** FreeLB's initial perturbation magnitude in this step, scaled like epsilon. */
    public double initMagnitude() { return config.initMagnitude() * radiusScale; }

    /** The factor of the perturbation-radius ramp in this step (1 once the ramp is over). */
    public double radiusScale() { return radiusScale; }

    /** The network. */
    public Network network() { return network; }

    /** The student's parameters. */
    @Override
    public Parameters params() { return params; }

    /** The EMA teacher's parameters, or null. */
    public Parameters teacher() { return teacher; }

    /** The batch. */
    @Override
    public BatchInputs inputs() { return inputs; }

    /** The step's dropout masks. */
    public DropoutMasks dropout() { return dropout; }

    /** The learner's random generator. */
    @Override
    public SeededRandom rng() { return rng; }

    /** The step's manager. */
    @Override
    public NDManager manager() { return manager; }

    /** The listener (never null). */
    public StepListener listener() { return listener; }

    /** Number of labels known in this step. */
    public int numLabels() { return numLabels; }

    /** Passes done so far. */
    public int passes() { return passes; }

    /** Forward/backward passes of the first layer alone ({@link #firstLayerDeltaGradient}) so far. */
    public int firstLayerPasses() { return firstLayerPasses; }

    /** Updates attempted so far (applied or skipped; which, {@link #finish} tells). */
    public int attempts() { return attempts; }

    /** Updates applied in the step; known once {@link #finish} has run. */
    public int updates() { return attempts - skipped; }

    /** Updates skipped in the step; known once {@link #finish} has run. */
    public int skipped() { return skipped; }

    /** Mean loss over the updates attempted (NaN if one was skipped, 0 if none); known once {@link #finish} ran. */
    public double meanLoss() { return meanLoss; }
}
