package io.bulwark.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bulwark.avro.ModelPayload;
import io.bulwark.model.continual.ContinualHead;
import io.bulwark.model.continual.Replay;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.eval.RobustnessEvaluator;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.regularizer.BregmanProximal;
import io.bulwark.model.regularizer.Regularizer;
import io.bulwark.model.regularizer.SmoothnessRegularizer;
import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.CheckpointFormat;
import io.bulwark.model.snapshot.ParameterFormat;
import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.snapshot.TensorData;
import io.bulwark.model.strategy.FreeAt;
import io.bulwark.model.strategy.FreeLb;
import io.bulwark.model.strategy.NaturalTraining;
import io.bulwark.model.strategy.Pgd;
import io.bulwark.model.strategy.StepContext;
import io.bulwark.model.strategy.StepListener;
import io.bulwark.model.strategy.TrainingStrategy;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Not thread-safe. Owns native memory: {@link #close()} it. Each training step runs in its own sub-manager that
 * is closed at the end of the step. All randomness comes from the learner's own seeded generator, whose state is
 * checkpointed, so runs are bitwise reproducible on CPU and a restored learner continues exactly.
 */
public final class Learner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

    private static final String ENGINE = "PyTorch";
    private static final int EVAL_CHUNK = 128;
    private static final long ATTACK_SEED_SALT = 0x5DEECE66DL;
    private static final long REPLAY_SEED_SALT = 0x2545F4914F6CDD1DL;

    private final LearnerConfig config;
    private final Device device;
    private final NDManager manager;
    private final Network network;
    private final HashingEncoder encoder;
    private final SeededRandom rng;
    private final Parameters params;
    private final Parameters teacher;
    private final AdamOptimizer optimizer;
    private final TrainingStrategy strategy;
    private final List<Regularizer> regularizers = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final Map<String, Integer> labelIndex = new HashMap<>();
    private final ContinualHead continual;
    private final Replay replay;
    private StepListener listener = StepListener.NONE;
    private long examplesSeen;
    private long batchesSeen;
    private long skippedBatches;
    private long updates;
    private boolean closed;

    private Learner(LearnerConfig config, Device device) {
        this.config = Objects.requireNonNull(config, "config");
        this.device = device;
        this.manager = NDManager.newBaseManager(device, ENGINE);
        try {
            this.network = new Network(config);
            this.encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                    config.maxNgramsPerToken());
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
            };
            if (config.smartWeight() > 0) {
                regularizers.add(new SmoothnessRegularizer(config));
            }
            if (teacher != null) {
                regularizers.add(new BregmanProximal(config, teacher));
            }
            this.continual = config.continual().wide() ? new ContinualHead(config.continual()) : null;
            this.replay = config.continual().replay() ? new Replay(config.continual().replayPerClass(),
                    config.continual().replayFraction(), config.seed() ^ REPLAY_SEED_SALT) : null;
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
        for (int from = 0; from < batch.size(); from += config.batchSize()) {
            List<Example> chunk = batch.subList(from, Math.min(batch.size(), from + config.batchSize()));
            StepResult r = trainChunk(chunk);
            total = total == null ? r : total.merge(r);
        }
        batchesSeen++;
        if (total.skipped()) {
            skippedBatches++;
        }
        return total;
    }

    private void checkLabels(List<Example> batch) {
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

    private StepResult trainChunk(List<Example> chunk) {
        int labeled = 0;
        for (Example e : chunk) {
            if (e.isLabeled()) {
                labeled++;
            }
        }
        try (NDManager step = manager.newSubManager()) {
            int correct = 0;
            List<Example> labeledExamples = new ArrayList<>();
            for (Example e : chunk) {
                if (e.isLabeled()) {
                    labeledExamples.add(e);
                }
            }
            boolean useUnlabeled = config.smartWeight() > 0 && config.vatOnUnlabeled();
            List<Example> train = new ArrayList<>();
            for (Example e : chunk) {
                if (e.isLabeled() || useUnlabeled) {
                    train.add(e);
                }
            }
            // Replayed examples (labels already known) join the training batch and are scored with the chunk.
            List<Example> replayed = replay == null || train.isEmpty() ? List.of()
                    : replay.draw(replay.replayCount(train.size(), config.batchSize()));
            List<Example> scored = new ArrayList<>(labeledExamples);
            scored.addAll(replayed);
            // The labeled and replayed examples: scored before training and, unless unlabeled examples join the
            // training batch, exactly the training batch, so their inputs are built once.
            BatchInputs scoredInputs = null;
            int known = labels.size();
            float[] networkLogits = null;
            if (labeled > 0 && known > 0) {
                List<String> texts = new ArrayList<>();
                scored.forEach(e -> texts.add(e.text()));
                scoredInputs = new BatchInputs(encoder.encode(texts), step);
                networkLogits = evalLogits(scoredInputs, params).toFloatArray();
            }
            for (Example e : chunk) {
                if (e.isLabeled() && !labelIndex.containsKey(e.label())) {
                    addLabel(e.label());
                }
            }
            int[] predicted = continual != null && labeled > 0
                    ? trainContinual(scored, labeled, networkLogits, known)
                    : networkLogits == null ? new int[0] : argmax(networkLogits, known);
            for (int i = 0; i < labeled && i < predicted.length; i++) {
                if (predicted[i] >= 0 && predicted[i] == labelIndex.get(labeledExamples.get(i).label())) {
                    correct++;
                }
            }
            examplesSeen += chunk.size();
            if (train.isEmpty() || labels.isEmpty()) {
                return new StepResult(chunk.size(), labeled, correct, 0.0, false, 0, 0, 0.0, 0.0);
            }
            if (replay != null) {
                replay.offer(labeledExamples);
            }
            train.addAll(replayed);
            BatchInputs in;
            if (scoredInputs != null && train.size() == scored.size()) {
                in = scoredInputs;
            } else {
                List<String> texts = new ArrayList<>(train.size());
                for (Example e : train) {
                    texts.add(e.text());
                }
                in = new BatchInputs(encoder.encode(texts), step);
            }
            int b = train.size();
            int c = labels.size();
            float[] oneHot = new float[b * c];
            float[] weights = new float[b];
            float weightSum = 0f;
            for (int i = 0; i < b; i++) {
                Example e = train.get(i);
                if (e.isLabeled()) {
                    oneHot[i * c + labelIndex.get(e.label())] = 1f;
                    weights[i] = e.weight();
                    weightSum += e.weight();
                }
            }
            DropoutMasks dropout = new DropoutMasks(rng, config.dropout(), step);
            StepContext ctx = new StepContext(config, network, params, teacher, optimizer, regularizers, in,
                    step.create(oneHot, new Shape(b, c)), step.create(weights), weightSum, c, dropout, rng,
                    listener, step, config.rampFactor(examplesSeen));
            double deltaNorm = strategy.step(ctx);
            params.setRequiresGradient(true);
            updates += ctx.updates();
            double drift = 0.0;
            if (teacher != null) {
                NDArray s = sliceKnown(network.forward(params, in, null, null));
                NDArray t = sliceKnown(network.forward(teacher, in, null, null));
                drift = Losses.symmetricKl(s, t).getFloat();
            }
            return new StepResult(chunk.size(), labeled, correct, ctx.meanLoss(), ctx.skipped() > 0, ctx.passes(),
                    ctx.updates(), deltaNorm, drift);
        }
    }

    /**
     * The wide side's test-then-train step on the chunk's labeled examples followed by the replayed ones (from
     * {@code stream} on); returns the mixture's predictions.
     */
    private int[] trainContinual(List<Example> examples, int stream, float[] networkLogits, int known) {
        List<String> texts = new ArrayList<>(examples.size());
        int[] targets = new int[examples.size()];
        float[] weights = new float[examples.size()];
        for (int i = 0; i < targets.length; i++) {
            Example e = examples.get(i);
            texts.add(e.text());
            targets[i] = labelIndex.get(e.label());
            weights[i] = e.weight();
        }
        return continual.testThenTrain(texts, targets, weights, stream, networkLogits, known, labels.size());
    }

    private void addLabel(String label) {
        labelIndex.put(label, labels.size());
        labels.add(label);
    }

    private NDArray sliceKnown(NDArray logits) {
        int c = labels.size();
        if (c < config.outputSize()) {
            return logits.get(new NDIndex(":, 0:{}", c));
        }
        return logits;
    }

    private NDArray evalLogits(BatchInputs in, Parameters p) {
        return sliceKnown(network.forward(p, in, null, null));
    }

    private static int[] argmax(float[] v, int c) {
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

    // ---- inference and evaluation ----------------------------------------------------------------------------

    /** Predicts each text (evaluation mode, no dropout), restricted to the known labels. */
    public List<Prediction> predict(List<String> texts) {
        ensureOpen();
        List<Prediction> out = new ArrayList<>(texts.size());
        if (labels.isEmpty()) {
            for (int i = 0; i < texts.size(); i++) {
                out.add(new Prediction(null, -1, new float[0]));
            }
            return out;
        }
        int c = labels.size();
        for (int from = 0; from < texts.size(); from += EVAL_CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + EVAL_CHUNK));
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = evalLogits(new BatchInputs(encoder.encode(chunk), step), params);
                float[] p = continual == null ? logits.softmax(-1).toFloatArray()
                        : continual.probabilities(chunk, logits.toFloatArray(), c);
                for (int i = 0; i < chunk.size(); i++) {
                    float[] probs = Arrays.copyOfRange(p, i * c, (i + 1) * c);
                    int best = 0;
                    for (int j = 1; j < c; j++) {
                        if (probs[j] > probs[best]) {
                            best = j;
                        }
                    }
                    out.add(new Prediction(labels.get(best), best, probs));
                }
            }
        }
        return out;
    }

    /** Raw logits over the known labels, for tests and diagnostics. */
    public float[][] logits(List<String> texts) {
        ensureOpen();
        float[][] out = new float[texts.size()][];
        int c = Math.max(labels.size(), 1);
        for (int from = 0; from < texts.size(); from += EVAL_CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + EVAL_CHUNK));
            try (NDManager step = manager.newSubManager()) {
                BatchInputs in = new BatchInputs(encoder.encode(chunk), step);
                NDArray l = labels.isEmpty() ? network.forward(params, in, null, null) : evalLogits(in, params);
                int width = Math.toIntExact(l.getShape().get(1));
                float[] v = l.toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    out[from + i] = Arrays.copyOfRange(v, i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    /**
     * Clean accuracy, loss, and (when {@code attack} is not null) robust accuracy under a white-box embedding-space
     * PGD attack. Unlabeled examples are ignored; examples whose label was never learned count as wrong.
     */
    public Evaluation evaluate(List<Example> labeled, PgdAttack attack) {
        ensureOpen();
        List<Example> examples = new ArrayList<>();
        for (Example e : labeled) {
            if (e.isLabeled()) {
                examples.add(e);
            }
        }
        String name = attack == null ? "none" : attack.name();
        if (examples.isEmpty()) {
            return new Evaluation(0, Double.NaN, Double.NaN, Double.NaN, name);
        }
        if (labels.isEmpty()) {
            return new Evaluation(examples.size(), 0.0, attack == null ? Double.NaN : 0.0, Double.NaN, name);
        }
        SeededRandom attackRng = new SeededRandom(config.seed() ^ ATTACK_SEED_SALT);
        RobustnessEvaluator evaluator = new RobustnessEvaluator(network, params, config, labels.size());
        RobustnessEvaluator.Totals totals = new RobustnessEvaluator.Totals();
        try {
            for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
                List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + EVAL_CHUNK));
                List<String> texts = new ArrayList<>();
                int[] targets = new int[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    texts.add(chunk.get(i).text());
                    targets[i] = labelIndex.getOrDefault(chunk.get(i).label(), -1);
                }
                try (NDManager step = manager.newSubManager()) {
                    evaluator.evaluate(new BatchInputs(encoder.encode(texts), step), targets, attack, attackRng,
                            step, totals);
                }
            }
        } finally {
            params.setRequiresGradient(true);
        }
        int n = examples.size();
        return new Evaluation(n, totals.clean / (double) n,
                attack == null ? Double.NaN : totals.robust / (double) n,
                totals.lossCount == 0 ? Double.NaN : totals.lossSum / totals.lossCount, name);
    }

    /** Mean symmetric KL between the student and the EMA teacher on {@code examples}; 0 without a teacher. */
    public double teacherDriftKl(List<Example> examples) {
        ensureOpen();
        if (teacher == null || labels.isEmpty() || examples.isEmpty()) {
            return 0.0;
        }
        double sum = 0;
        for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + EVAL_CHUNK));
            List<String> texts = new ArrayList<>();
            chunk.forEach(e -> texts.add(e.text()));
            try (NDManager step = manager.newSubManager()) {
                BatchInputs in = new BatchInputs(encoder.encode(texts), step);
                NDArray s = evalLogits(in, params);
                NDArray t = evalLogits(in, teacher);
                sum += Losses.symmetricKlPerExample(s, t).sum().getFloat();
            }
        }
        return sum / examples.size();
    }

    /**
     * Mean symmetric KL between this model's and {@code other}'s predictive distributions on {@code examples}.
     *
     * @throws IllegalArgumentException if the two models do not know the same labels
     */
    public double driftKl(Learner other, List<Example> examples) {
        ensureOpen();
        Objects.requireNonNull(other, "other");
        if (!new java.util.HashSet<>(labels).equals(new java.util.HashSet<>(other.labels))) {
            throw new IllegalArgumentException("Models know different labels: " + labels + " vs " + other.labels);
        }
        if (labels.isEmpty() || examples.isEmpty()) {
            return 0.0;
        }
        List<String> texts = new ArrayList<>();
        examples.forEach(e -> texts.add(e.text()));
        float[][] a = logits(texts);
        float[][] b = other.logits(texts);
        int c = labels.size();
        int[] map = new int[c];
        for (int j = 0; j < c; j++) {
            map[j] = other.labelIndex.get(labels.get(j));
        }
        double sum = 0;
        for (int i = 0; i < texts.size(); i++) {
            double[] la = logSoftmax(a[i], null);
            double[] lb = logSoftmax(b[i], map);
            for (int j = 0; j < c; j++) {
                sum += (Math.exp(la[j]) - Math.exp(lb[j])) * (la[j] - lb[j]);
            }
        }
        return sum / texts.size();
    }

    private static double[] logSoftmax(float[] v, int[] order) {
        int c = order == null ? v.length : order.length;
        double[] x = new double[c];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            x[j] = v[order == null ? j : order[j]];
            max = Math.max(max, x[j]);
        }
        double s = 0;
        for (int j = 0; j < c; j++) {
            s += Math.exp(x[j] - max);
        }
        double lse = max + Math.log(s);
        for (int j = 0; j < c; j++) {
            x[j] -= lse;
        }
        return x;
    }

    // ---- snapshots and checkpoints ---------------------------------------------------------------------------

    /** The student's parameters in the versioned, checksummed parameter format. */
    public ModelPayload exportParameters() {
        ensureOpen();
        return ParameterFormat.toPayload(studentTensors());
    }

    /** The network's parameters followed by the wide side's state. */
    private Map<String, TensorData> studentTensors() {
        Map<String, TensorData> out = tensors(params);
        if (continual != null) {
            continual.export(out);
        }
        return out;
    }

    /** Loads a student payload's tensors into the network and the wide side. */
    private void loadStudent(Map<String, TensorData> student) {
        Map<String, TensorData> wide = new LinkedHashMap<>();
        load(params, ContinualHead.split(student, wide), "student");
        if (continual != null) {
            continual.load(wide);
        } else if (!wide.isEmpty()) {
            throw new SnapshotFormatException("The student payload holds the wide side's tensors " + wide.keySet()
                    + " but the configuration has continual.wide off");
        }
    }

    /** The EMA teacher's parameters, when the Bregman term is on. */
    public Optional<ModelPayload> exportTeacher() {
        ensureOpen();
        return teacher == null ? Optional.empty() : Optional.of(ParameterFormat.toPayload(tensors(teacher)));
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
        Map<String, TensorData> s = ParameterFormat.fromPayload(student);
        Map<String, TensorData> t = teacherOrNull == null ? null : ParameterFormat.fromPayload(teacherOrNull);
        Learner l = create(config, device);
        try {
            l.setLabels(labels);
            l.loadStudent(s);
            if (l.teacher != null) {
                load(l.teacher, t != null ? t : ContinualHead.split(s, new LinkedHashMap<>()), "teacher");
            }
            return l;
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
    }

    /** Everything needed to resume bitwise-exactly, in the versioned checkpoint format. */
    public byte[] checkpoint() {
        ensureOpen();
        Map<String, TensorData> state = new LinkedHashMap<>();
        strategy.state().forEach((k, v) -> state.put(k, tensor(v)));
        return CheckpointFormat.encode(new CheckpointData(config.toMap(), List.copyOf(labels), studentTensors(),
                teacher == null ? null : tensors(teacher), optimizer.step(), tensors(optimizer.firstMoments()),
                tensors(optimizer.secondMoments()), state, rng.state(), examplesSeen, batchesSeen, skippedBatches,
                updates, replay == null ? null : replay.encode()));
    }

    /**
     * Restores a learner from {@link #checkpoint()} on {@code device}.
     *
     * @throws SnapshotFormatException if the checkpoint is corrupt, truncated, of an unknown version, or inconsistent
     */
    public static Learner restore(byte[] checkpoint, String device) {
        CheckpointData c = CheckpointFormat.decode(checkpoint);
        LearnerConfig config;
        try {
            config = LearnerConfig.fromStoredMap(c.config());
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("Checkpoint holds an invalid configuration: " + e.getMessage(), e);
        }
        Learner l = create(config, device);
        try {
            l.setLabels(c.labels());
            l.loadStudent(c.student());
            if (l.teacher != null) {
                if (c.teacher() == null) {
                    throw new SnapshotFormatException("Checkpoint has no teacher but its configuration needs one");
                }
                load(l.teacher, c.teacher(), "teacher");
            }
            load(l.optimizer.firstMoments(), c.firstMoments(), "optimizer first moments");
            load(l.optimizer.secondMoments(), c.secondMoments(), "optimizer second moments");
            l.optimizer.setStep(c.optimizerStep());
            Map<String, NDArray> state = l.strategy.state();
            if (!state.keySet().equals(c.strategyState().keySet())) {
                throw new SnapshotFormatException("Checkpoint strategy state " + c.strategyState().keySet()
                        + " does not match " + state.keySet());
            }
            for (Map.Entry<String, NDArray> e : state.entrySet()) {
                loadInto(e.getValue(), c.strategyState().get(e.getKey()), e.getKey());
            }
            l.rng.setState(c.rngState());
            l.examplesSeen = c.examplesSeen();
            l.batchesSeen = c.batchesSeen();
            l.skippedBatches = c.skippedBatches();
            l.updates = c.updates();
            if (l.replay != null && c.replay() != null) {
                l.replay.decode(c.replay());
            }
            return l;
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private void setLabels(List<String> restored) {
        if (!config.labels().isEmpty()) {
            if (!config.labels().equals(restored)) {
                throw new SnapshotFormatException("Labels " + restored + " differ from the configured labels "
                        + config.labels());
            }
            return;
        }
        if (restored.size() > config.maxLabels()) {
            throw new SnapshotFormatException(restored.size() + " labels exceed maxLabels " + config.maxLabels());
        }
        labels.clear();
        labelIndex.clear();
        for (String l : restored) {
            if (labelIndex.containsKey(l)) {
                throw new SnapshotFormatException("Duplicate label '" + l + "'");
            }
            addLabel(l);
        }
    }

    private static Map<String, TensorData> tensors(Parameters p) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        p.asMap().forEach((k, v) -> out.put(k, tensor(v)));
        return out;
    }

    private static TensorData tensor(NDArray a) {
        return new TensorData(a.getShape().getShape(), a.toFloatArray());
    }

    private static void load(Parameters target, Map<String, TensorData> source, String what) {
        if (!target.names().equals(source.keySet())) {
            throw new SnapshotFormatException("The " + what + " payload holds tensors " + source.keySet()
                    + " but the configured network has " + target.names());
        }
        for (Map.Entry<String, NDArray> e : target.asMap().entrySet()) {
            loadInto(e.getValue(), source.get(e.getKey()), what + " tensor '" + e.getKey() + "'");
        }
    }

    private static void loadInto(NDArray target, TensorData data, String what) {
        if (!Arrays.equals(target.getShape().getShape(), data.shape())) {
            throw new SnapshotFormatException("The " + what + " has shape " + Arrays.toString(data.shape())
                    + " but the configured network expects " + target.getShape());
        }
        target.set(data.data());
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Learner is closed");
        }
    }

    /** Number of native arrays owned by the learner's long-lived manager (constant between steps; leak checks). */
    public int nativeArrayCount() {
        return manager.getManagedArrays().size();
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
