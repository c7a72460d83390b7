package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.NormType;
import io.bulwark.model.Recorder;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FreeAtTest {

    private static LearnerConfig config(NormType norm, int m) {
        return SyntheticData.small()
                .optStrategy(LearnerConfig.StrategyType.FREEAT)
                .optSteps(m)
                .optNorm(norm)
                .optEpsilon(norm == NormType.LINF ? 0.05 : 0.3)
                .optAlpha(norm == NormType.LINF ? 0.03 : 0.2)
                .build();
    }

    @ParameterizedTest
    @EnumSource(NormType.class)
    void carriesDeltaAcrossBatchesAndStaysInBall(NormType norm) {
        LearnerConfig config = config(norm, 3);
        List<Example> data = SyntheticData.keywordTask(200, 7);
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            Recorder.Copy previousEnd = null;
            int from = 0;
            for (int t = 0; t < 8; t++) {
                // Alternate batch sizes so consecutive batches overlap only partly.
                int size = t % 2 == 0 ? 16 : 5;
                List<Example> batch = new ArrayList<>(data.subList(from, from + size));
                from += size;
                rec.clear();
                StepResult r = learner.train(batch);
                assertThat(r.passes()).as("passes per batch").isEqualTo(3);
                assertThat(r.updates()).as("updates per batch").isEqualTo(3);
                assertThat(rec.passStartDeltas).hasSize(3);
                assertThat(rec.updatedDeltas).hasSize(3);
                Recorder.Copy start = rec.passStartDeltas.get(0);
                if (previousEnd != null && norm == NormType.LINF) {
                    assertOverlapEqual(previousEnd, start);
                } else if (previousEnd != null) {
                    // The slice may join positions written by batches of other lengths: projected back into the
                    // ball, so each row is the carried one scaled by a factor of at most 1.
                    assertOverlapScaledDown(previousEnd, start);
                    assertInBall(start, norm, config.epsilon());
                } else {
                    assertThat(maxAbs(start.data())).as("bank starts at zero").isZero();
                }
                // Within the batch, each replay starts from the previous replay's delta.
                for (int k = 1; k < 3; k++) {
                    assertThat(rec.passStartDeltas.get(k).data()).containsExactly(rec.updatedDeltas.get(k - 1).data());
                }
                for (Recorder.Copy d : rec.updatedDeltas) {
                    assertInBall(d, norm, config.epsilon());
                }
                previousEnd = rec.updatedDeltas.get(2);
                assertThat(r.deltaNorm()).isGreaterThan(0.0).isLessThanOrEqualTo(config.epsilon() * (1 + 1e-5));
            }
            // The bank holds the last batch's delta in its top-left slice; it has rows for replayed examples too.
            float[] bank = learner.strategyStateValues().get(FreeAt.DELTA_BANK);
            int rows = config.batchSize() + config.continual().replaySlots(config.batchSize());
            assertThat(bank).hasSize(rows * config.maxLength() * config.embeddingDim());
            Recorder.Copy bankCopy = new Recorder.Copy(
                    new long[] {rows, config.maxLength(), config.embeddingDim()}, bank);
            assertOverlapEqual(previousEnd, bankCopy);
        }
    }

    @Test
    void l2SliceIsProjectedWhenItMixesPositionsStoredByBatchesOfOtherLengths() {
        // Long batch: delta over 16 positions on the sphere of radius eps. Short batch: positions 0..2 pushed back
        // to radius eps on their own, positions 3..15 keep the long batch's values. The next long batch's slice
        // joins both, with a norm up to sqrt(2) eps, unless it is projected before use.
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(2)
                .optNorm(NormType.L2).optEpsilon(0.3).optAlpha(0.2).optLabels(List.of("ham", "spam"))
                .optContinual(io.bulwark.model.ContinualConfig.OFF).build(); // no replayed rows: batches keep their length
        List<Example> longBatch = new ArrayList<>();
        List<Example> shortBatch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String label = i % 2 == 0 ? "ham" : "spam";
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 20; w++) {
                text.append(label).append(i).append('w').append(w).append(' ');
            }
            longBatch.add(Example.of(text.toString().trim(), label));
            shortBatch.add(Example.of(label + " s" + i, label));
        }
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            learner.train(longBatch);
            rec.clear();
            learner.train(shortBatch);
            assertThat(rec.passStartDeltas.get(0).shape()[1]).as("padded length of the short batch").isLessThan(4);
            rec.clear();
            learner.train(longBatch);
            Recorder.Copy start = rec.passStartDeltas.get(0);
            assertThat(start.shape()[1]).as("padded length of the long batch").isEqualTo(config.maxLength());
            assertInBall(start, NormType.L2, config.epsilon());
        }
    }

    @Test
    void tokenBankCarriesEachWordsDeltaToItsNextOccurrenceWhereverItIs() {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(2)
                .optAdversary(io.bulwark.model.AdversaryConfig.DEFAULTS.withDeltaBank(io.bulwark.model.AdversaryConfig.DeltaBank.TOKEN)).optLabels(List.of("ham", "spam"))
                .optContinual(io.bulwark.model.ContinualConfig.OFF).build(); // no replayed rows in the batches
        // Distinct words are numbered in order of first occurrence over the padded batch, row by row (0 = padding).
        List<Example> first = List.of(Example.of("lorem ipsum dolor", "ham"), Example.of("sit amet consectetur", "ham"),
                Example.of("cheap viagra zebra", "spam"));
        List<Example> second = List.of(Example.of("zebra quokka", "spam"), Example.of("dolor walrus", "ham"));
        int zebraInFirst = 9;
        int zebraInSecond = 1;
        int dolorInFirst = 3;
        int dolorInSecond = 3;
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            learner.train(first);
            Recorder.Copy end = rec.updatedDeltas.get(1);
            assertThat(end.shape()).containsExactly(10, config.embeddingDim());
            assertThat(maxAbs(row(end, zebraInFirst))).as("zebra's delta after the first batch").isPositive();
            rec.clear();
            learner.train(second);
            Recorder.Copy start = rec.passStartDeltas.get(0);
            assertThat(start.shape()).containsExactly(5, config.embeddingDim());
            // zebra moved from row 2, position 2 to row 0, position 0; dolor from row 0, position 2 to row 1, 0.
            assertThat(row(start, zebraInSecond)).containsExactly(row(end, zebraInFirst));
            assertThat(row(start, dolorInSecond)).containsExactly(row(end, dolorInFirst));
            assertThat(maxAbs(row(start, 2))).as("quokka is new: no delta yet").isZero();
            for (Recorder.Copy d : rec.updatedDeltas) {
                assertThat(maxAbs(d.data())).isLessThanOrEqualTo((float) config.epsilon() * (1 + 1e-5f));
            }
            float[] bank = learner.strategyStateValues().get(FreeAt.DELTA_BANK);
            assertThat(bank).hasSize(config.buckets() * config.embeddingDim());
        }
    }

    private static float[] row(Recorder.Copy d, int r) {
        int dim = (int) d.shape()[1];
        float[] out = new float[dim];
        System.arraycopy(d.data(), r * dim, out, 0, dim);
        return out;
    }

    @Test
    void dropoutMasksAreFixedAcrossReplaysOfOneStep() {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(4)
                .optDropout(0.3).build();
        List<Example> data = SyntheticData.keywordTask(32, 3);
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            learner.train(data.subList(0, 16));
            List<Recorder.Copy> first = new ArrayList<>();
            assertThat(rec.masksByPass).hasSize(4);
            for (var masks : rec.masksByPass) {
                Recorder.Copy m = masks.get("pooled.hidden");
                assertThat(m).isNotNull();
                first.add(m);
            }
            float zeros = 0;
            for (float v : first.get(0).data()) {
                zeros += v == 0f ? 1 : 0;
            }
            assertThat(zeros / first.get(0).data().length).as("drop rate").isBetween(0.15f, 0.45f);
            for (Recorder.Copy m : first) {
                assertThat(m.data()).containsExactly(first.get(0).data());
            }
            rec.clear();
            learner.train(data.subList(16, 32));
            assertThat(rec.masksByPass.get(0).get("pooled.hidden").data())
                    .as("a new step draws new masks").isNotEqualTo(first.get(0).data());
        }
    }

    static void assertOverlapEqual(Recorder.Copy a, Recorder.Copy b) {
        int bMin = (int) Math.min(a.shape()[0], b.shape()[0]);
        int lMin = (int) Math.min(a.shape()[1], b.shape()[1]);
        int d = (int) a.shape()[2];
        int checked = 0;
        for (int i = 0; i < bMin; i++) {
            for (int j = 0; j < lMin; j++) {
                for (int k = 0; k < d; k++) {
                    float va = a.data()[(int) ((i * a.shape()[1] + j) * d + k)];
                    float vb = b.data()[(int) ((i * b.shape()[1] + j) * d + k)];
                    if (va != vb) {
                        throw new AssertionError("delta differs at [" + i + "," + j + "," + k + "]: " + va + " vs " + vb);
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(0);
    }

    static void assertOverlapScaledDown(Recorder.Copy a, Recorder.Copy b) {
        int bMin = (int) Math.min(a.shape()[0], b.shape()[0]);
        int lMin = (int) Math.min(a.shape()[1], b.shape()[1]);
        int d = (int) a.shape()[2];
        for (int i = 0; i < bMin; i++) {
            double dot = 0;
            double sq = 0;
            for (int j = 0; j < lMin * d; j++) {
                float va = a.data()[(int) (i * a.shape()[1] * d + j)];
                dot += (double) va * b.data()[(int) (i * b.shape()[1] * d + j)];
                sq += (double) va * va;
            }
            double factor = sq == 0 ? 1.0 : dot / sq;
            assertThat(factor).as("scale of row %d", i).isLessThanOrEqualTo(1 + 1e-6);
            for (int j = 0; j < lMin * d; j++) {
                float va = a.data()[(int) (i * a.shape()[1] * d + j)];
                float vb = b.data()[(int) (i * b.shape()[1] * d + j)];
                assertThat((double) vb).as("row %d, element %d", i, j)
                        .isCloseTo(va * factor, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    static void assertInBall(Recorder.Copy d, NormType norm, double eps) {
        int b = (int) d.shape()[0];
        int per = d.data().length / b;
        for (int i = 0; i < b; i++) {
            double n = 0;
            for (int k = i * per; k < (i + 1) * per; k++) {
                float v = d.data()[k];
                n = norm == NormType.LINF ? Math.max(n, Math.abs(v)) : n + (double) v * v;
            }
            if (norm == NormType.L2) {
                n = Math.sqrt(n);
            }
            assertThat(n).as("norm of example %d", i).isLessThanOrEqualTo(eps * (1 + 1e-5));
        }
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void radiusRampBoundsTheCarriedDeltaUntilItEnds() {
        // Ramp over 64 examples, batches of 16: the ball's radius is eps/4, eps/2, 3eps/4, then eps. Three replays
        // of step alpha (ramped alike) always reach the current radius, so the carried delta sits on its boundary.
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(3)
                .optNorm(NormType.LINF).optEpsilon(0.05).optAlpha(0.03).optEpsilonRamp(64).build();
        List<Example> data = SyntheticData.keywordTask(96, 11);
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            for (int t = 0; t < 6; t++) {
                rec.clear();
                learner.train(data.subList(16 * t, 16 * (t + 1)));
                double radius = 0.05 * Math.min(1.0, 16.0 * (t + 1) / 64);
                double max = maxAbs(rec.updatedDeltas.get(2).data());
                assertThat(max).as("max |delta| after batch %d", t).isCloseTo(radius, org.assertj.core.data.Offset
                        .offset(1e-6));
            }
        }
    }
}
