package io.bulwark.model.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.ContinualConfig;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.Prediction;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.snapshot.SnapshotFormatException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InferenceModelTest {

    private static final List<String> PROBES = List.of("cheap viagra lottery now", "project meeting report",
            "w1 w2 w3 casino", "", "ＬＵＮＣＨ tomorrow?", "free prize claim your cash meeting");

    private static Learner trained(LearnerConfig config) {
        return SyntheticData.trained(config);
    }

    private static void assertBitwiseEqual(List<Prediction> expected, List<Prediction> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).label()).isEqualTo(expected.get(i).label());
            float[] e = expected.get(i).probabilities();
            float[] a = actual.get(i).probabilities();
            assertThat(a).hasSameSizeAs(e);
            for (int j = 0; j < e.length; j++) {
                assertThat(Float.floatToRawIntBits(a[j])).as("text %d, class %d: %s vs %s", i, j, a[j], e[j])
                        .isEqualTo(Float.floatToRawIntBits(e[j]));
            }
        }
    }

    @Test
    void predictsBitwiseAsTheLearnerForEveryEncoderAndWithTheWideSide() {
        List<LearnerConfig> configs = List.of(
                SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(2)
                        .optBregmanWeight(0.5).build(),
                SyntheticData.small().optEncoderType(LearnerConfig.EncoderType.TRANSFORMER).optCharNgrams(3)
                        .optBregmanWeight(0.5).build(),
                SyntheticData.small().optLabels(List.of("ham", "spam"))
                        .optContinual(ContinualConfig.DEFAULTS.withWide(true).withWideBuckets(4096)).build());
        for (LearnerConfig config : configs) {
            try (Learner learner = trained(config)) {
                ModelSnapshot snapshot = Snapshots.toAvro(learner, "m", 1, null, List.of(), Map.of());
                try (InferenceModel inference = Snapshots.forInference(snapshot, "cpu");
                     Learner loaded = Snapshots.fromAvro(snapshot, "cpu")) {
                    assertThat(inference.labels()).isEqualTo(learner.labels());
                    List<Prediction> expected = learner.predict(PROBES);
                    assertBitwiseEqual(expected, inference.predict(PROBES));
                    assertBitwiseEqual(loaded.predict(PROBES), inference.predict(PROBES));
                }
            }
        }
    }

    @Test
    void holdsOnlyTheStudentWithoutGradientsAndTurnsGradModeOff() {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(2)
                .optBregmanWeight(0.5).build();
        try (Learner learner = trained(config)) {
            ModelSnapshot snapshot = Snapshots.toAvro(learner, "m", 1, null, List.of(), Map.of());
            try (InferenceModel inference = Snapshots.forInference(snapshot, "cpu");
                 Learner full = Snapshots.fromAvro(snapshot, "cpu")) {
                long studentBytes = 0;
                for (float[] v : learner.parameterValues().values()) {
                    studentBytes += 4L * v.length;
                }
                assertThat(inference.nativeBytes()).isEqualTo(studentBytes);
                // the full learner adds Adam's two moments and the teacher at least
                assertThat(full.nativeBytes()).as("full %d, inference %d", full.nativeBytes(), inference.nativeBytes())
                        .isGreaterThanOrEqualTo(4 * studentBytes);
                assertThat(inference.requiresGradient()).isFalse();
                JniUtils.setGradMode(true);
                inference.predict(PROBES);
                assertThat(JniUtils.isGradMode()).isFalse();
            }
        }
    }

    @Test
    void refusesAPayloadThatDoesNotFitTheConfiguration() {
        LearnerConfig config = SyntheticData.small().build();
        try (Learner learner = trained(config)) {
            LearnerConfig wider = SyntheticData.small().optEmbeddingDim(32).build();
            assertThatThrownBy(() -> InferenceModel.fromParameters(wider, learner.labels(),
                    learner.exportParameters(), "cpu"))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("expects");
            LearnerConfig fixed = SyntheticData.small().optLabels(List.of("a", "b")).build();
            assertThatThrownBy(() -> InferenceModel.fromParameters(fixed, List.of("x", "y"),
                    learner.exportParameters(), "cpu"))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("differ from the configured labels");
        }
    }

    @Test
    void theLayoutNamesTheShapesInitializeCreates() {
        for (LearnerConfig.EncoderType enc : LearnerConfig.EncoderType.values()) {
            Network network = new Network(SyntheticData.small().optEncoderType(enc).build());
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                assertThat(network.initialize(m, new SeededRandom(1)).shapes()).isEqualTo(network.shapes());
            }
        }
    }
}
