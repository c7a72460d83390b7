package io.bulwark.model.snapshot;

import java.util.List;
import java.util.Map;

/**
 * Everything needed to resume a learner bitwise-exactly.
 *
 * @param config the configuration as {@code LearnerConfig.toMap()}
 * @param labels labels in output order
 * @param student student parameters
 * @param teacher EMA teacher parameters, or null
 * @param optimizerStep updates applied by the optimizer
 * @param firstMoments Adam first moments
 * @param secondMoments Adam second moments
 * @param strategyState state the strategy carries across batches (FreeAT's delta bank)
 * @param rngState the random generator's state
 * @param examplesSeen examples trained on
 * @param batchesSeen batches trained on
 * @param skippedBatches batches with a skipped update
 * @param updates parameter updates applied
 * @param replay the replay reservoir's state ({@code io.bulwark.model.continual.Replay#encode}), or null without
 *     replay (and in version 1 checkpoints)
 */
public record CheckpointData(
        Map<String, String> config,
        List<String> labels,
        Map<String, TensorData> student,
        Map<String, TensorData> teacher,
        long optimizerStep,
        Map<String, TensorData> firstMoments,
        Map<String, TensorData> secondMoments,
        Map<String, TensorData> strategyState,
        long rngState,
        long examplesSeen,
        long batchesSeen,
        long skippedBatches,
        long updates,
        byte[] replay) {

    /** Bytes of the tensors' values and the replay state: about the size of the encoded checkpoint. */
    public long arrayBytes() {
        return 4 * (floats(student) + floats(teacher) + floats(firstMoments) + floats(secondMoments)
                + floats(strategyState)) + (replay == null ? 0 : replay.length);
    }

    private static long floats(Map<String, TensorData> tensors) {
        long n = 0;
        if (tensors != null) {
            for (TensorData t : tensors.values()) {
                n += t.data().length;
            }
        }
        return n;
    }

    /** A checkpoint without replay state. */
    public CheckpointData(Map<String, String> config, List<String> labels, Map<String, TensorData> student,
                          Map<String, TensorData> teacher, long optimizerStep, Map<String, TensorData> firstMoments,
                          Map<String, TensorData> secondMoments, Map<String, TensorData> strategyState, long rngState,
                          long examplesSeen, long batchesSeen, long skippedBatches, long updates) {
        this(config, labels, student, teacher, optimizerStep, firstMoments, secondMoments, strategyState, rngState,
                examplesSeen, batchesSeen, skippedBatches, updates, null);
    }
}
