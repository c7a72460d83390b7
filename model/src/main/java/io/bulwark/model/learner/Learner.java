package io.bulwark.model.learner;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.avro.ModelPayload;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.Prediction;
import io.bulwark.model.StepResult;
import io.bulwark.model.continual.ContinualHead;
import io.bulwark.model.ContinualConfig;
import io.bulwark.model.continual.Replay;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.HostReads;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.regularizer.BregmanProximal;
import io.bulwark.model.regularizer.Regularizer;
import io.bulwark.model.regularizer.SmoothnessRegularizer;
import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.strategy.FreeAt;
import io.bulwark.model.strategy.FreeLb;
import io.bulwark.model.strategy.Yopo;
import io.bulwark.model.strategy.NaturalTraining;
import io.bulwark.model.strategy.Pgd;
import io.bulwark.model.strategy.StepListener;
import io.bulwark.model.strategy.TrainingStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continual adversarial learner: a hashed-embedding text classifier trained batch by batch with the configured
 * strategy (natural, PGD, FreeAT, FreeLB) and regularisers (SMART smoothness / VAT, Bregman proximal EMA teacher).
 *
 * <p>Not thread-safe: use one learner from one thread at a time; different learners may train at the same time on
 * different threads (no JVM-wide lock). Owns native memory: {@link #close()} it. Each training step runs in its own
 * sub-manager that is closed at the end of the step. All randomness comes from the learner's own seeded generator, whose state is
 * checkpointed, so runs are bitwise reproducible on CPU and a restored learner continues exactly.
 *
 * <p>This class holds the state and the public API. A training step is {@link TrainingStep}; inference and
 * evaluation are {@link LearnerEvaluation}; exported parameters and checkpoints, in the formats of
 * {@code io.bulwark.model.snapshot}, are {@link LearnerPersistence}; {@link Snapshots} converts to and from the
 * Avro {@code ModelSnapshot}.
 */
public final class Learner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

    private static final String ENGINE = "PyTorch";
    private static final long REPLAY_SEED_SALT = 0x2545F4914F6CDD1DL;

    final LearnerConfig config;
    final Device device;
    final NDManager manager;
    final Network network;
    final HashingEncoder encoder;
    final SeededRandom rng;
    final Parameters params;
    final Parameters teacher;
    final AdamOptimizer optimizer;
    final TrainingStrategy strategy;
    final List<Regularizer> regularizers = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final Map<String, Integer> labelIndex = new HashMap<>();
    final ContinualHead continual;
    final Replay replay;
    StepListener listener = StepListener.NONE;
    long examplesSeen;
    long batchesSeen;
    long skippedBatches;
    long updates;
    long hostReads;
    private boolean closed;

    private Learner(LearnerConfig config, Device device) {
        this.config = Objects.requireNonNull(config, "config");
        this.device = device;
        this.manager = NDManager.newBaseManager(device, ENGINE);
        try {
            this.network = new Network(config);
            this.encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                    config.maxNgramsPerToken(), config.normalization());
            this.rng = new SeededRandom(config.seed());
            this.params = network.initialize(manager, rng);
            this.params.setRequiresGradient(true);
            this.teacher = config.hasTeacher() ? params.copy(manager) : null;
            this.optimizer = new AdamOptimizer(params, manager, config);
            this.strategy = switch (config.strategy()) {
                case NATURAL -> new NaturalTraining();
                case PGD -> new Pgd(config);
                case FREEAT -> new FreeAt(config, manager);
                case FREELB -> new FreeLb(config);
                case YOPO -> new Yopo(config);
            };
            if (config.smartWeight() > 0) {
                regularizers.add(new SmoothnessRegularizer(config));
            }
            if (teacher != null) {
                regularizers.add(new BregmanProximal(config, teacher));
            }
            this.continual = config.continual().wide() ? new ContinualHead(config.continual()) : null;
            ContinualConfig cc = config.continual();
            this.replay = cc.replay() || cc.probe() ? new Replay(cc.replayPerClass(), cc.replayFraction(),
                    cc.probe() ? cc.probePerClass() : 0, config.seed() ^ REPLAY_SEED_SALT) : null;
            for (String l : config.labels()) {
                addLabel(l);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A freshly initialised learner on the CPU. */
    public static Learner create(LearnerConfig config) {
        return create(config, "cpu");
    }

    /**
     * A freshly initialised learner on {@code device}: "cpu", "gpu" or "gpu:N". A GPU that the engine does not
     * report falls back to the CPU with a WARN.
     */
    public static Learner create(LearnerConfig config, String device) {
        return new Learner(config, resolveDevice(device));
    }

    /** Parses a device name and falls back to the CPU (with a WARN) when the requested GPU is not available. */
    public static Device resolveDevice(String spec) {
        String s = spec == null ? "cpu" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu") || s.equals("cpu()")) {
            return Device.cpu();
        }
        int index;
        if (s.equals("gpu")) {
            index = 0;
        } else if (s.startsWith("gpu:") || (s.startsWith("gpu(") && s.endsWith(")"))) {
            String n = s.startsWith("gpu:") ? s.substring(4) : s.substring(4, s.length() - 1);
            try {
                index = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid device '" + spec + "': expected cpu, gpu or gpu:N", e);
            }
            if (index < 0) {
                throw new IllegalArgumentException("Invalid device '" + spec + "': GPU index must be >= 0");
            }
        } else {
            throw new IllegalArgumentException("Invalid device '" + spec + "': expected cpu, gpu or gpu:N");
        }
        int gpus = Engine.getEngine(ENGINE).getGpuCount();
        if (index < gpus) {
            return Device.gpu(index);
        }
        LOG.warn("Device {} requested but the {} engine reports {} GPU(s); falling back to the CPU", spec, ENGINE,
                gpus);
        return Device.cpu();
    }

    // ---- accessors -------------------------------------------------------------------------------------------

    /** The configuration. */
    public LearnerConfig config() {
        return config;
    }

    /** The device actually used, e.g. "cpu()" or "gpu(0)". */
    public String device() {
        return device.toString();
    }

    /** The current label set, in output order. */
    public List<String> labels() {
        return List.copyOf(labels);
    }

    /** Whether {@code label} is known, or there is room left to learn it. */
    public boolean acceptsLabel(String label) {
        if (label == null) {
            return true;
        }
        if (labelIndex.containsKey(label)) {
            return true;
        }
        return config.labels().isEmpty() && labels.size() < config.maxLabels() && !label.isEmpty();
    }

    /** Examples trained on. */
    public long examplesSeen() {
        return examplesSeen;
    }

    /** {@link #train} calls. */
    public long batchesSeen() {
        return batchesSeen;
    }

    /** Batches in which at least one update was skipped because of a non-finite loss or gradient. */
    public long skippedBatches() {
        return skippedBatches;
    }

    /** Parameter updates applied. */
    public long updates() {
        return updates;
    }

    /**
     * Device-to-host reads made by {@link #train} so far (one per chunk of at most {@code batchSize} examples; see
     * {@link HostReads} for what is counted). On a GPU each read waits for the device's queue to drain.
     */
    public long hostReads() {
        return hostReads;
    }

    /** Installs a listener of training internals (diagnostics and tests); null removes it. */
    public void setStepListener(StepListener listener) {
        this.listener = listener == null ? StepListener.NONE : listener;
    }

    /** A copy of the student's parameter values by name. */
    public Map<String, float[]> parameterValues() {
        ensureOpen();
        return params.toFloatArrays();
    }

    /** A copy of the EMA teacher's parameter values by name, empty when there is no teacher. */
    public Map<String, float[]> teacherValues() {
        ensureOpen();
        return teacher == null ? Map.of() : teacher.toFloatArrays();
    }

    /** The wide side and mixture of experts beside the network, when {@code continual.wide} is on. */
    public Optional<ContinualHead> continualHead() {
        return Optional.ofNullable(continual);
    }

    /** The class-balanced replay reservoir, when replay is on. */
    public Optional<Replay> replay() {
        return Optional.ofNullable(replay);
    }

    /** A copy of the strategy's carried state (FreeAT's delta bank) by name. */
    public Map<String, float[]> strategyStateValues() {
        ensureOpen();
        Map<String, float[]> out = new LinkedHashMap<>();
        strategy.state().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    // ---- training --------------------------------------------------------------------------------------------

    /**
     * Scores the batch prequentially (prediction before training), learns new labels, then trains with the
     * configured strategy. Batches larger than {@code batchSize} are trained as consecutive chunks.
     *
     * @throws IllegalArgumentException if a label is not accepted ({@link #acceptsLabel}); nothing is trained then
     */
    public StepResult train(List<Example> batch) {
        ensureOpen();
        Objects.requireNonNull(batch, "batch");
        checkLabels(batch);
        if (batch.isEmpty()) {
            return StepResult.empty(0, 0);
        }
        StepResult total = null;
        long readsBefore = HostReads.count();
        for (int from = 0; from < batch.size(); from += config.batchSize()) {
            List<Example> chunk = batch.subList(from, Math.min(batch.size(), from + config.batchSize()));
            StepResult r = TrainingStep.run(this, chunk);
            total = total == null ? r : total.merge(r);
        }
        hostReads += HostReads.count() - readsBefore;
        batchesSeen++;
        if (total.skipped()) {
            skippedBatches++;
        }
        return total;
    }

    // ---- inference and evaluation (LearnerEvaluation) ----------------------------------------------------------

   /** Predicts each text (evaluation mode, no dropout), restricted to the known labels. */
    public List<Prediction> predict(List<String> texts) {
        return LearnerEvaluation.predict(this, texts);
    }

    /** Raw logits over the known labels, for tests and diagnostics. */
    public float[][] logits(List<String> texts) {
        return LearnerEvaluation.logits(this, texts);
    }

    /**
     * Clean accuracy, loss, and (when {@code attack} is not null) robust accuracy under a white-box embedding-space
     * PGD attack. Unlabeled examples are ignored; examples whose label was never learned count as wrong.
     */
    public Evaluation evaluate(List<Example> labeled, PgdAttack attack) {
        return LearnerEvaluation.evaluate(this, labeled, attack);
    }

    /** Mean symmetric KL between the student and the EMA teacher on {@code examples}; 0 without a teacher. */
    public double teacherDriftKl(List<Example> examples) {
        return LearnerEvaluation.teacherDriftKl(this, examples);
    }

    /**
     * The RMS of the network's word vectors over the real tokens of {@code texts} (encoded together, so at most
     * maxLength tokens each): the scale perturbations are measured against, which training may grow.
     */
    public double embeddingRms(List<String> texts) {
        return LearnerEvaluation.embeddingRms(this, texts);
    }

    /**
     * Mean symmetric KL between this model's and {@code other}'s predictive distributions on {@code examples}.
     *
     * @throws IllegalArgumentException if the two models do not know the same labels
     */
    public double driftKl(Learner other, List<Example> examples) {
        return LearnerEvaluation.driftKl(this, other, examples);
    }

    /**
     * A substitution of the word at token {@code position} by {@code replacement}, with its first-order loss
     * increase {@code gain}.
     */
    public record Flip(int position, String original, String replacement, double gain) {}

    /**
     * The HotFlip substitution that raises the network's loss on {@code text} (true label {@code label}) most to
     * first order, over {@code candidates}, skipping the token positions in {@code frozen}; null if there is none.
     * One backward pass; the parameters are not changed.
     */
    public Flip bestFlip(String text, String label, List<String> candidates, java.util.Set<Integer> frozen) {
        return FirstOrderFlips.best(this, text, label, candidates, frozen);
    }

    /** The network's cross-entropy on one text with true label {@code label} (NaN for an unknown label). */
    public double networkLoss(String text, String label) {
        return FirstOrderFlips.loss(this, text, label);
    }

    // ---- snapshots and checkpoints (LearnerPersistence) -------------------------------------------------------

   /** The student's parameters in the versioned, checksummed parameter format. */
    public ModelPayload exportParameters() {
        return LearnerPersistence.exportParameters(this);
    }

    /** The EMA teacher's parameters, when the Bregman term is on. */
    public Optional<ModelPayload> exportTeacher() {
        return LearnerPersistence.exportTeacher(this);
    }

    /**
     * Bytes of the state the learner holds: parameters, teacher, optimizer moments and strategy state (device
     * memory, from their shapes, without reading them) plus the wide side's tables and the replay reservoir (heap).
     * Not thread-safe, like the learner: call it on the thread that trains.
     */
    public long memoryBytes() {
        return LearnerPersistence.memoryBytes(this);
    }

    /** Everything needed to resume bitwise-exactly, in the versioned checkpoint format. */
    public byte[] checkpoint() {
        return LearnerPersistence.checkpoint(this);
    }

    /**
     * The state {@link #checkpoint()} encodes, copied to the heap and not yet encoded: later training does not
     * change it, so it can be encoded ({@code CheckpointFormat.encode}) on another thread while this one trains.
     * Taking it costs one copy of the learner's arrays; the encoding and its checksum are the rest of the
     * checkpoint's cost. Not thread-safe, like the learner: call it on the thread that trains.
     */
    public CheckpointData captureCheckpoint() {
        return LearnerPersistence.capture(this);
    }

    /**
     * An inference-ready learner from exported parameters (training can continue, with fresh optimizer state).
     *
     * @param teacherOrNull the teacher's parameters; when null and the configuration has a teacher, it starts as a
     *     copy of the student
     * @throws SnapshotFormatException if a payload is corrupt or does not fit the configuration
     */
    public static Learner fromParameters(LearnerConfig config, List<String> labels, ModelPayload student,
                                         ModelPayload teacherOrNull, String device) {
        return LearnerPersistence.fromParameters(config, labels, student, teacherOrNull, device);
    }

    /**
     * Restores a learner from {@link #checkpoint()} on {@code device}.
     *
     * @throws SnapshotFormatException if the checkpoint is corrupt, truncated, of an unknown version, or inconsistent
     */
    public static Learner restore(byte[] checkpoint, String device) {
        return LearnerPersistence.restore(checkpoint, device);
    }

    /**
     * Restores a learner from {@link #captureCheckpoint()} (or a decoded checkpoint) on {@code device}.
     *
     * @throws SnapshotFormatException if the state is inconsistent with its configuration
     */
    public static Learner restore(CheckpointData checkpoint, String device) {
        return LearnerPersistence.restore(checkpoint, device);
    }

    // ---- shared by training, evaluation and persistence ------------------------------------------------------

    void checkLabels(List<Example> batch) {
        List<String> pending = new ArrayList<>();
        for (Example e : batch) {
            Objects.requireNonNull(e, "batch contains a null example");
            String l = e.label();
            if (l == null || labelIndex.containsKey(l) || pending.contains(l)) {
                continue;
            }
            if (!config.labels().isEmpty()) {
                throw new IllegalArgumentException("Unknown label '" + l + "'; the label set is fixed to "
                        + config.labels());
            }
            if (l.isEmpty()) {
                throw new IllegalArgumentException("Empty label");
            }
            if (labels.size() + pending.size() >= config.maxLabels()) {
                throw new IllegalArgumentException("Cannot learn label '" + l + "': already " + labels.size()
                        + " labels known (maxLabels " + config.maxLabels() + ")");
            }
            pending.add(l);
        }
    }



    void addLabel(String label) {
        labelIndex.put(label, labels.size());
        labels.add(label);
    }

    NDArray sliceKnown(NDArray logits) {
        int c = labels.size();
        if (c < config.outputSize()) {
            return logits.get(new NDIndex(":, 0:{}", c));
        }
        return logits;
    }

    NDArray evalLogits(BatchInputs in, Parameters p) {
        return sliceKnown(network.forward(p, in, null, null));
    }

    static int[] argmax(float[] v, int c) {
        int n = v.length / c;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (v[i * c + j] > v[i * c + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    /**
     * Fails on a closed learner, and switches autograd's grad mode off on the calling thread: libtorch keeps it per
     * thread, on by default, while the learner records gradients only inside its passes and updates parameters in
     * place outside them. So a learner works from any thread (one at a time), and learners on different threads
     * train concurrently.
     */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Learner is closed");
        }
        JniUtils.setGradMode(false);
    }

    /** Number of native arrays owned by the learner's long-lived manager (constant between steps; leak checks). */
    public int nativeArrayCount() {
        return manager.getManagedArrays().size();
    }

    /**
     * Bytes of the native arrays the learner holds: parameters, optimizer moments, teacher, δ bank (an array that is
     * a view of another counts again; see {@link InferenceModel#nativeBytes()} for the inference-only figure).
     */
    public long nativeBytes() {
        return LearnerPersistence.nativeBytes(manager);
    }

    /** Releases all native memory. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            strategy.close();
            manager.close();
        }
    }
}
