package io.bulwark.model.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.EncoderType;
import io.bulwark.model.LearnerConfig.NormType;
import io.bulwark.model.Recorder;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.Perturbations;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class YopoTest {

    private static final List<String> TEXTS = List.of("cheap viagra now click here", "project meeting at noon",
            "lottery winner claim your prize", "notes from the review");

    private static LearnerConfig config(EncoderType encoder) {
        return SyntheticData.small().optEncoderType(encoder).optLayers(2).optHeads(2).optDropout(0.2)
                .optStrategy(LearnerConfig.StrategyType.YOPO).optSteps(3).optAdversary(io.bulwark.model.AdversaryConfig.DEFAULTS.withInnerSteps(4))
                .optLabels(List.of("ham", "spam")).build();
    }

    @ParameterizedTest
    @EnumSource(EncoderType.class)
    void adjointPassGivesTheGradientsOfOneFullBackward(EncoderType encoder) {
        LearnerConfig config = config(encoder);
        try (NDManager root = NDManager.newBaseManager("PyTorch"); NDManager step = root.newSubManager()) {
            Fixture f = new Fixture(config, root, step);
            NDArray delta = f.delta(1);
            StepContext ctx = f.context();
            io.bulwark.model.nn.PassResult fullPass = ctx.trainingPass(delta.duplicate(), true, true);
            float fullLoss = fullPass.loss();
            NDArray fullDelta = fullPass.deltaGradient();
            Map<String, float[]> full = f.gradients();
            StepContext.AdjointPass adj = ctx.adjointPass(delta.duplicate(), true);
            Map<String, float[]> split = f.gradients();

            assertThat(adj.loss()).isEqualTo(fullLoss);
            assertClose(adj.deltaGradient().toFloatArray(), fullDelta.toFloatArray(), "delta gradient");
            assertThat(split.keySet()).isEqualTo(full.keySet()).hasSizeGreaterThan(2);
            for (String name : full.keySet()) {
                assertClose(split.get(name), full.get(name), name);
            }
            assertThat(ctx.passes()).isEqualTo(2);
            assertThat(ctx.firstLayerPasses()).isZero();
        }
    }

    @Test
    void pooledFirstLayerIsLinearInDeltaSoItsAdjointGradientDoesNotMove() {
        LearnerConfig config = config(EncoderType.POOLED);
        try (NDManager root = NDManager.newBaseManager("PyTorch"); NDManager step = root.newSubManager()) {
            Fixture f = new Fixture(config, root, step);
            StepContext ctx = f.context();
            StepContext.AdjointPass adj = ctx.adjointPass(f.delta(1), true);
            float[] atOther = ctx.firstLayerDeltaGradient(adj.adjoint(), f.delta(2)).toFloatArray();
            assertClose(atOther, adj.deltaGradient().toFloatArray(), "first-layer gradient at another delta");
            assertThat(ctx.firstLayerPasses()).isEqualTo(1);
            assertThat(ctx.passes()).as("a first-layer step is not a full pass").isEqualTo(1);
        }
    }

    @Test
    void transformerFirstLayerGradientFollowsDeltaAndMatchesTheFullPassAtItsDelta() {
        LearnerConfig config = config(EncoderType.TRANSFORMER);
        try (NDManager root = NDManager.newBaseManager("PyTorch"); NDManager step = root.newSubManager()) {
            Fixture f = new Fixture(config, root, step);
            StepContext ctx = f.context();
            NDArray delta = f.delta(1);
            StepContext.AdjointPass adj = ctx.adjointPass(delta.duplicate(), true);
            float[] same = ctx.firstLayerDeltaGradient(adj.adjoint(), delta.duplicate()).toFloatArray();
            assertClose(same, adj.deltaGradient().toFloatArray(), "first-layer gradient at the full pass's delta");
            float[] moved = ctx.firstLayerDeltaGradient(adj.adjoint(), f.delta(2).mul(20f)).toFloatArray();
            assertThat(maxAbsDiff(moved, same)).as("the first block is not linear in delta").isGreaterThan(1e-6);
        }
    }

    @Test
    void stepMakesMFullPassesAndOneUpdateAndKeepsDeltaInTheBall() {
        LearnerConfig config = config(EncoderType.POOLED);
        List<Example> data = SyntheticData.keywordTask(64, 3);
        Recorder rec = new Recorder();
        try (Learner learner = Learner.create(config)) {
            learner.setStepListener(rec);
            StepResult r = learner.train(data.subList(0, 16));
            assertThat(r.passes()).as("full passes").isEqualTo(3);
            assertThat(r.updates()).isEqualTo(1);
            assertThat(rec.passStartDeltas).hasSize(3);
            // (m - 1) * n delta steps: the last full pass's delta would not be used.
            assertThat(rec.updatedDeltas).hasSize(2 * 4);
            for (Recorder.Copy d : rec.updatedDeltas) {
                FreeAtTest.assertInBall(d, NormType.LINF, config.epsilon());
            }
            // Each full pass starts at the delta the previous inner steps ended at.
            assertThat(rec.passStartDeltas.get(1).data()).containsExactly(rec.updatedDeltas.get(3).data());
            assertThat(rec.passStartDeltas.get(2).data()).containsExactly(rec.updatedDeltas.get(7).data());
            assertThat(r.loss()).isFinite();
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as(what + " is not all zero").isGreaterThan(0.0);
        assertThat(maxAbsDiff(actual, expected)).as(what).isLessThanOrEqualTo(1e-5 * scale + 1e-7);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** A network, its parameters and one batch, for building step contexts by hand. */
    private static final class Fixture {
        final LearnerConfig config;
        final Network network;
        final Parameters params;
        final AdamOptimizer optimizer;
        final BatchInputs inputs;
        final NDManager step;

        Fixture(LearnerConfig config, NDManager root, NDManager step) {
            this.config = config;
            this.network = new Network(config);
            this.params = network.initialize(root, new SeededRandom(1));
            params.setRequiresGradient(true);
            this.optimizer = new AdamOptimizer(params, root, config);
            HashingEncoder enc = new HashingEncoder(config.buckets(), config.maxLength(), 0, 1);
            this.inputs = new BatchInputs(enc.encode(TEXTS), step);
            this.step = step;
        }

        StepContext context() {
            int b = TEXTS.size();
            float[] oneHot = new float[b * 2];
            for (int i = 0; i < b; i++) {
                oneHot[i * 2 + (i % 2 == 0 ? 1 : 0)] = 1f;
            }
            return StepContext.builder(config, network, step)
                    .setParams(params)
                    .setOptimizer(optimizer)
                    .setBatch(inputs, step.create(oneHot, new Shape(b, 2)), step.ones(new Shape(b)), b, 2)
                    .setDropout(new DropoutMasks(new SeededRandom(3), config.dropout(), step))
                    .setRng(new SeededRandom(4))
                    .build();
        }

        NDArray delta(long seed) {
            return Perturbations.randomInBall(step, new SeededRandom(seed), inputs, config.embeddingDim(),
                    NormType.LINF, config.epsilon());
        }

        /** Gradients of every parameter but the embedding (the step trains a batch-local copy of it). */
        Map<String, float[]> gradients() {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String name : params.names()) {
                if (!name.equals(Network.EMBEDDING)) {
                    out.put(name, params.get(name).getGradient().toFloatArray());
                }
            }
            return out;
        }
    }
}
