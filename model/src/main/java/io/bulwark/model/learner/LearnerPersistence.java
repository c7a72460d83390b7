package io.bulwark.model.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.bulwark.avro.ModelPayload;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.continual.ContinualHead;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.CheckpointFormat;
import io.bulwark.model.snapshot.ParameterFormat;
import io.bulwark.model.snapshot.SnapshotFormatException;
import io.bulwark.model.snapshot.TensorData;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Learner}'s state in the formats of {@code io.bulwark.model.snapshot}: exported parameters (snapshot
 * payloads) and checkpoints that resume training bitwise-exactly.
 */
final class LearnerPersistence {

    private LearnerPersistence() {}

    /** The student's parameters in the versioned, checksummed parameter format. */
    static ModelPayload exportParameters(Learner learner) {
        learner.ensureOpen();
        return ParameterFormat.toPayload(studentTensors(learner));
    }

    /** The network's parameters followed by the wide side's state. */
    private static Map<String, TensorData> studentTensors(Learner learner) {
        Map<String, TensorData> out = tensors(learner.params);
        if (learner.continual != null) {
            learner.continual.export(out);
        }
        return out;
    }

    /** Loads a student payload's tensors into the network and the wide side. */
    private static void loadStudent(Learner learner, Map<String, TensorData> student) {
        Map<String, TensorData> wide = new LinkedHashMap<>();
        load(learner.params, ContinualHead.split(student, wide), "student");
        if (learner.continual != null) {
            learner.continual.load(wide);
        } else if (!wide.isEmpty()) {
            throw new SnapshotFormatException("The student payload holds the wide side's tensors " + wide.keySet()
                    + " but the configuration has continual.wide off");
        }
    }

    /** The EMA teacher's parameters, when the Bregman term is on. */
    static Optional<ModelPayload> exportTeacher(Learner learner) {
        learner.ensureOpen();
        return learner.teacher == null ? Optional.empty()
                : Optional.of(ParameterFormat.toPayload(tensors(learner.teacher)));
    }

    /**
     * An inference-ready learner from exported parameters (training can continue, with fresh optimizer state).
     *
     * @param teacherOrNull the teacher's parameters; when null and the configuration has a teacher, it starts as a
     *     copy of the student
     * @throws SnapshotFormatException if a payload is corrupt or does not fit the configuration
     */
    static Learner fromParameters(LearnerConfig config, List<String> labels, ModelPayload student,
                                  ModelPayload teacherOrNull, String device) {
        Map<String, TensorData> s = ParameterFormat.fromPayload(student);
        Map<String, TensorData> t = teacherOrNull == null ? null : ParameterFormat.fromPayload(teacherOrNull);
        Learner l = Learner.create(config, device);
        try {
            l.ensureOpen(); // grad mode off on this thread: values are copied into the arrays in place
            setLabels(l, labels);
            loadStudent(l, s);
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
    static byte[] checkpoint(Learner learner) {
        return CheckpointFormat.encode(capture(learner));
    }

    /** Everything needed to resume bitwise-exactly, copied to the heap: later training does not change it. */
    static CheckpointData capture(Learner learner) {
        learner.ensureOpen();
        Map<String, TensorData> state = new LinkedHashMap<>();
        learner.strategy.state().forEach((k, v) -> state.put(k, tensor(v)));
        return new CheckpointData(learner.config.toMap(), List.copyOf(learner.labels),
                studentTensors(learner), learner.teacher == null ? null : tensors(learner.teacher),
                learner.optimizer.step(), tensors(learner.optimizer.firstMoments()),
                tensors(learner.optimizer.secondMoments()), state, learner.rng.state(), learner.examplesSeen,
                learner.batchesSeen, learner.skippedBatches, learner.updates,
                learner.replay == null ? null : learner.replay.encode());
    }

    static long memoryBytes(Learner learner) {
        learner.ensureOpen();
        long bytes = bytes(learner.params.values()) + bytes(learner.optimizer.firstMoments().values())
                + bytes(learner.optimizer.secondMoments().values()) + bytes(learner.strategy.state().values());
        if (learner.teacher != null) {
            bytes += bytes(learner.teacher.values());
        }
        if (learner.continual != null) {
            Map<String, TensorData> wide = new LinkedHashMap<>();
            learner.continual.export(wide);
            for (TensorData t : wide.values()) {
                bytes += (long) t.data().length * Float.BYTES;
            }
        }
        if (learner.replay != null) {
            bytes += learner.replay.encode().length;
        }
        return bytes;
    }

    private static long bytes(java.util.Collection<NDArray> arrays) {
        long n = 0;
        for (NDArray a : arrays) {
            n += a.size() * a.getDataType().getNumOfBytes();
        }
        return n;
    }

    /**
     * Restores a learner from {@link #checkpoint()} on {@code device}.
     *
     * @throws SnapshotFormatException if the checkpoint is corrupt, truncated, of an unknown version, or inconsistent
     */
    static Learner restore(byte[] checkpoint, String device) {
        return restore(CheckpointFormat.decode(checkpoint), device);
    }

    /**
     * Restores a learner from {@link #capture} on {@code device}.
     *
     * @throws SnapshotFormatException if the state is inconsistent with its configuration
     */
    static Learner restore(CheckpointData c, String device) {
        LearnerConfig config;
        try {
            config = LearnerConfig.fromStoredMap(c.config());
        } catch (IllegalArgumentException e) {
            throw new SnapshotFormatException("Checkpoint holds an invalid configuration: " + e.getMessage(), e);
        }
        Learner l = Learner.create(config, device);
        try {
            l.ensureOpen(); // grad mode off on this thread: values are copied into the arrays in place
            setLabels(l, c.labels());
            loadStudent(l, c.student());
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

    private static void setLabels(Learner learner, List<String> restored) {
        List<String> checked = checkedLabels(learner.config, restored);
        learner.labels.clear();
        learner.labelIndex.clear();
        checked.forEach(learner::addLabel);
    }

    /**
     * The labels a restored model knows: the configured ones (which {@code restored} must equal) or, with no fixed
     * label set, {@code restored} itself, checked for duplicates and against maxLabels.
     */
    static List<String> checkedLabels(LearnerConfig config, List<String> restored) {
        if (!config.labels().isEmpty()) {
            if (!config.labels().equals(restored)) {
                throw new SnapshotFormatException("Labels " + restored + " differ from the configured labels "
                        + config.labels());
            }
            return List.copyOf(config.labels());
        }
        if (restored.size() > config.maxLabels()) {
            throw new SnapshotFormatException(restored.size() + " labels exceed maxLabels " + config.maxLabels());
        }
        if (new java.util.HashSet<>(restored).size() != restored.size()) {
            throw new SnapshotFormatException("Duplicate label in " + restored);
        }
        return List.copyOf(restored);
    }

    /** Bytes of the native arrays {@code manager} and its sub-managers hold (views of one buffer count each time). */
    static long nativeBytes(ai.djl.ndarray.NDManager manager) {
        long bytes = 0;
        for (NDArray a : manager.getManagedArrays()) {
            bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
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
        // Copied into the array's own memory: the optimizer's dense moments are views into one flat array, which
        // NDArray.set(float[]) would cut loose by pointing the view at new memory.
        try (NDArray source = target.getManager().create(data.data(), target.getShape())) {
            target.set(new NDIndex("..."), source);
        }
    }
}
