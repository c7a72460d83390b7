package io.bulwark.model.strategy;

import io.bulwark.model.nn.PassResult;
import io.bulwark.model.nn.Perturbations;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.AdversaryConfig.DeltaBank;
import io.bulwark.model.LearnerConfig.NormType;
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
 * perturbation is too. The slice a batch takes is projected before its first replay: under L2 a slice whose positions
 * were last written by batches of different lengths can exceed eps even though each write was inside the ball.
 *
 * <p>With {@link DeltaBank#TOKEN} the bank is keyed by the word's hash bucket instead, [buckets, D]: each replay
 * gathers the rows of the batch's distinct words as the leaf, [W, D], the network adds row w wherever word w occurs,
 * and the ascent step (the gradient summed over the word's occurrences) is written back to those rows. A word thus
 * meets the perturbation it built up in earlier batches wherever it occurs, rather than the one built for whatever
 * token held its (row, position) before. The ball is per coordinate for LINF and per word vector for L2.
 *
 * <p>With {@code strategy.discreteFlips} k > 0 (position bank only), the gradient of delta that each of the first k
 * replays computes anyway also ranks word substitutions (HotFlip over the batch's own words, {@link DiscreteFlips}):
 * the best one per labeled example is applied, so replay r + 1 trains on the batch with min(r + 1, k) substituted
 * words, at no extra pass. The substitutions are not carried to the next batch, whose words differ.
 */
public final class FreeAt implements TrainingStrategy {

    /** State name of the delta bank in checkpoints. */
    public static final String DELTA_BANK = "freeat.deltaBank";

    private final LearnerConfig config;
    private final NDArray bank;

    /** FreeAT-m with the configuration's m, norm, epsilon and alpha; the bank is allocated in {@code manager}. */
    public FreeAt(LearnerConfig config, NDManager manager) {
        this.config = config;
        if (config.adversary().deltaBank() == DeltaBank.TOKEN) {
            this.bank = manager.zeros(new Shape(config.buckets(), config.embeddingDim()));
        } else {
            // Replayed examples enlarge the training batch beyond batchSize (ContinualConfig.replaySlots).
            int rows = config.batchSize() + config.continual().replaySlots(config.batchSize());
            this.bank = manager.zeros(new Shape(rows, config.maxLength(), config.embeddingDim()));
        }
    }

    @Override
    public double step(StepContext ctx) {
        return config.adversary().deltaBank() == DeltaBank.TOKEN ? tokenStep(ctx) : positionStep(ctx);
    }

    private double tokenStep(StepContext ctx) {
        NDArray words = ctx.inputs().wordRows(false);
        NDArray delta = null;
        for (int replay = 0; replay < config.steps(); replay++) {
            delta = AdamOptimizer.rowsOf(bank, words); // a new leaf in the step's manager
            if (replay == 0) {
                // Rows were projected with the radius of the batch that wrote them; the radius may have shrunk since.
                delta = config.norm() == NormType.LINF ? delta.clip(-ctx.epsilon(), ctx.epsilon())
                        : perWord(delta, (float) ctx.epsilon(), true);
            }
            ctx.prepareRegularizers();
            PassResult r = ctx.trainingPass(delta, true, true);
            ctx.update(r.lossArray(), 1.0);
            NDArray g = r.deltaGradient();
            NDArray step = config.norm() == NormType.LINF ? g.sign().mul((float) ctx.alpha())
                    : perWord(g, (float) ctx.alpha(), false);
            NDArray next = delta.add(step);
            next = config.norm() == NormType.LINF ? next.clip(-ctx.epsilon(), ctx.epsilon())
                    : perWord(next, (float) ctx.epsilon(), true);
            // A non-finite gradient leaves delta (and the bank) as it was, decided on the device.
            next = Perturbations.keepIfFinite(g, next, delta);
            bank.set(new NDIndex("{}", words), next);
            delta = next;
            ctx.listener().onDeltaUpdated(ctx.passes() - 1, next);
        }
        if (delta == null) {
            return 0.0;
        }
        NDArray perPosition = AdamOptimizer.rowsOf(delta, ctx.inputs().wordIndex().flatten())
                .reshape(ctx.inputs().size(), ctx.inputs().length(), -1);
        return ctx.recordPerturbation(perPosition);
    }

    /** Each row scaled to norm {@code radius} ({@code atMost}: only rows longer than it, a projection). */
    private static NDArray perWord(NDArray x, float radius, boolean atMost) {
        NDArray norm = x.square().sum(new int[] {1}, true).sqrt();
        return atMost ? x.mul(norm.maximum(radius).pow(-1f).mul(radius)) : x.div(norm.add(1e-12f)).mul(radius);
    }

    private double positionStep(StepContext ctx) {
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
            // An independent leaf; the bank itself never requires gradients. The first replay projects the slice:
            // it joins positions written by batches of other lengths (each projected over its own slice), so under
            // L2 it can lie outside the ball; and a shrinking radius (epsilon scale) leaves old values outside it.
            // Later replays start from the previous replay's projected result.
            delta = replay == 0 ? Perturbations.projectOutliers(view, config.norm(), ctx.epsilon()) : view.duplicate();
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
            if (replay < config.adversary().discreteFlips() && replay < config.steps() - 1) {
                // A non-finite gradient yields no positive gain, so no substitution.
                ctx.substituteWords(r.deltaGradient());
            }
        }
        return delta == null ? 0.0 : ctx.recordPerturbation(delta);
    }

    /** The delta bank, [batchSize, maxLength, D] or [buckets, D] (live array; tests and checkpoints read it). */
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
