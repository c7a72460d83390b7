package io.bulwark.model.strategy;

import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.Perturbations;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.LearnerConfig;
import java.util.Map;

/**
 * FreeAT, Shafahi et al. 2019, "Adversarial Training for Free!", in word-embedding space: each mini-batch is replayed
 * m times; each replay is ONE forward/backward pass that yields both the parameter gradient (applied at once) and the
 * gradient of delta, which takes a step {@code delta <- project(delta + alpha * sign(g))} (LINF) or a normalised step
 * (L2). m passes and m updates per batch.
 *
 * <p>Delta is carried across mini-batches, as the paper prescribes: the m steps taken on one batch are far too few
 * to build a strong perturbation from zero, so the perturbation keeps warming up over the stream instead of being
 * reset; this is what makes the adversary nearly free. Streaming batches differ in size B and padded length L, so
 * delta lives in a bank of the largest shape [batchSize, maxLength, D]; each batch uses the top-left [B, L, D] slice
 * and writes it back after every replay. Rows and positions a short batch does not cover keep their values for later
 * batches that do. The slice is masked on padding inside the network (padding positions get zero gradient and stay
 * unchanged), and the whole slice is kept inside the eps-ball (per example over L x D for L2), so the masked
 * perturbation is too.
 */
public final class FreeAt implements TrainingStrategy {

    /** State name of the delta bank in checkpoints. */
    public static final String DELTA_BANK = "freeat.deltaBank";

    private final LearnerConfig config;
    private final NDArray bank;

    /** FreeAT-m with the configuration's m, norm, epsilon and alpha; the bank is allocated in {@code manager}. */
    public FreeAt(LearnerConfig config, NDManager manager) {
        this.config = config;
        // Replayed examples enlarge the training batch beyond batchSize (ContinualConfig.replaySlots).
        int rows = config.batchSize() + config.continual().replaySlots(config.batchSize());
        this.bank = manager.zeros(new Shape(rows, config.maxLength(), config.embeddingDim()));
    }

    @Override
    public double step(StepContext ctx) {
        int b = ctx.inputs().size();
        int l = ctx.inputs().length();
        if (b > bank.getShape().get(0) || l > bank.getShape().get(1)) {
            throw new IllegalArgumentException("Batch [" + b + ", " + l + "] exceeds the delta bank "
                    + bank.getShape());
        }
        NDIndex slice = new NDIndex("0:{}, 0:{}, :", b, l);
        NDArray delta = null;
        for (int replay = 0; replay < config.steps(); replay++) {
            NDArray view = bank.get(slice);
            view.attach(ctx.manager());
            delta = view.duplicate(); // an independent leaf; the bank itself never requires gradients
            ctx.prepareRegularizers();
            PassResult r = ctx.trainingPass(delta, true, true);
            ctx.update(r.lossArray(), 1.0);
            // A non-finite gradient leaves delta (and the bank) as it was, decided on the device.
            NDArray next = Perturbations.keepIfFinite(r.deltaGradient(), Perturbations.project(
                    delta.add(Perturbations.ascentStep(r.deltaGradient(), config.norm(), ctx.alpha(), true)),
                    config.norm(), ctx.epsilon()), delta);
            bank.set(slice, next);
            delta = next;
            ctx.listener().onDeltaUpdated(ctx.passes() - 1, next);
        }
        return delta == null ? 0.0 : ctx.recordPerturbation(delta);
    }

    /** The delta bank [batchSize, maxLength, D] (live array; tests and checkpoints read it). */
    public NDArray bank() {
        return bank;
    }

    @Override
    public Map<String, NDArray> state() {
        return Map.of(DELTA_BANK, bank);
    }

    @Override
    public void close() {
        bank.close();
    }
}
