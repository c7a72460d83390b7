package io.bulwark.model.learner;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.Prediction;
import io.bulwark.model.continual.ContinualHead;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.snapshot.ParameterFormat;
import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.snapshot.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model version loaded for inference only: the student's parameters (not requiring gradients) and, with
 * {@code continual.wide}, the wide side, with nothing a training step needs (no optimizer moments, no δ bank, no EMA
 * teacher, no random generator). Grad mode is switched off on every calling thread. It predicts bitwise as the
 * {@link Learner} the parameters were exported from: both run {@link #predict(Parts, List)}.
 *
 * <p>Not thread-safe: call from one thread at a time. Owns native memory: {@link #close()} it.
 *
 * <pre>{@code
 * try (InferenceModel m = InferenceModel.fromSnapshot(snapshot, "cpu")) {
 *     List<Prediction> p = m.predict(List.of("win a free prize"));
 * }
 * }</pre>
 */
public final class InferenceModel implements AutoCloseable {

    private static final String ENGINE = "PyTorch";
    private static final int CHUNK = 128;

    /** What a prediction needs: shared by this class and {@link Learner#predict}. */
    record Parts(NDManager manager, Network network, HashingEncoder encoder, Parameters params,
                 ContinualHead continual, List<String> labels, int outputSize) {}

    private final LearnerConfig config;
    private final Parts parts;
    private boolean closed;

    private InferenceModel(LearnerConfig config, Parts parts) {
        this.config = config;
        this.parts = parts;
    }

    /**
     * The student of {@code snapshot}, for inference on {@code device}; the teacher payload is not read.
     *
     * @throws SnapshotFormatException if the configuration is invalid, or the payload is corrupt or does not fit it
     */
    public static InferenceModel fromSnapshot(ModelSnapshot snapshot, String device) {
        return fromParameters(Snapshots.config(snapshot), snapshot.getLabels(), snapshot.getPayload(), device);
    }

    /**
     * The model of an exported student payload ({@link Learner#exportParameters()}) for inference on {@code device}.
     *
     * @throws SnapshotFormatException if the payload is corrupt or does not fit the configuration
     */
    public static InferenceModel fromParameters(LearnerConfig config, List<String> labels, ModelPayload student,
                                                String device) {
        List<String> known = LearnerPersistence.checkedLabels(config, labels);
        Map<String, TensorData> wide = new LinkedHashMap<>();
        Map<String, TensorData> tensors = ContinualHead.split(ParameterFormat.fromPayload(student), wide);
        Network network = new Network(config);
        checkFits(network.shapes(), tensors);
        ContinualHead continual = config.continual().wide() ? new ContinualHead(config.continual()) : null;
        if (continual != null) {
            continual.load(wide);
        } else if (!wide.isEmpty()) {
            throw new SnapshotFormatException("The student payload holds the wide side's tensors " + wide.keySet()
                    + " but the configuration has continual.wide off");
        }
        Device d = Learner.resolveDevice(device);
        NDManager manager = NDManager.newBaseManager(d, ENGINE);
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
                arrays.put(e.getKey(), manager.create(e.getValue().data(), new Shape(e.getValue().shape())));
            }
            Parameters params = new Parameters(arrays);
            params.setRequiresGradient(false);
            HashingEncoder encoder = new HashingEncoder(config.buckets(), config.maxLength(), config.charNgrams(),
                    config.maxNgramsPerToken(), config.normalization());
            return new InferenceModel(config, new Parts(manager, network, encoder, params, continual, known,
                    config.outputSize()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static void checkFits(Map<String, Shape> expected, Map<String, TensorData> tensors) {
        if (!expected.keySet().equals(tensors.keySet())) {
            throw new SnapshotFormatException("The student payload holds tensors " + tensors.keySet()
                    + " but the configured network has " + expected.keySet());
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            long[] shape = tensors.get(e.getKey()).shape();
            if (!Arrays.equals(e.getValue().getShape(), shape)) {
                throw new SnapshotFormatException("The student tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(shape) + " but the configured network expects " + e.getValue());
            }
        }
    }

    /** The configuration. */
    public LearnerConfig config() {
        return config;
    }

    /** The labels in output order. */
    public List<String> labels() {
        return parts.labels();
    }

    /** Predicts each text (evaluation mode), restricted to the known labels; as {@link Learner#predict}. */
    public List<Prediction> predict(List<String> texts) {
        if (closed) {
            throw new IllegalStateException("InferenceModel is closed");
        }
        return predict(parts, texts);
    }

    /** Bytes of the native arrays this model holds (its parameters). */
    public long nativeBytes() {
        return LearnerPersistence.nativeBytes(parts.manager());
    }

    /** Whether any parameter requires a gradient, as the engine reports it (never, for this model). */
    public boolean requiresGradient() {
        return parts.params().values().stream()
                .anyMatch(a -> a instanceof PtNDArray pt && JniUtils.requiresGrad(pt));
    }

    /** Predicts with {@code parts}; grad mode is switched off on the calling thread. */
    static List<Prediction> predict(Parts parts, List<String> texts) {
        JniUtils.setGradMode(false);
        List<String> labels = parts.labels();
        List<Prediction> out = new ArrayList<>(texts.size());
        if (labels.isEmpty()) {
            for (int i = 0; i < texts.size(); i++) {
                out.add(new Prediction(null, -1, new float[0]));
            }
            return out;
        }
        int c = labels.size();
        for (int from = 0; from < texts.size(); from += CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
            try (NDManager step = parts.manager().newSubManager()) {
                BatchInputs in = new BatchInputs(parts.encoder().encode(chunk), step);
                NDArray logits = parts.network().forward(parts.params(), in, null, null);
                if (c < parts.outputSize()) {
                    logits = logits.get(new NDIndex(":, 0:{}", c));
                }
                float[] p = parts.continual() == null ? logits.softmax(-1).toFloatArray()
                        : parts.continual().probabilities(chunk, logits.toFloatArray(), c);
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

    /** Releases the native memory. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            parts.manager().close();
        }
    }
}
