package io.bulwark.model.regularizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.nn.BatchInputs;
import io.bulwark.model.nn.DropoutMasks;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.strategy.StepContext;
import io.bulwark.model.strategy.StepListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BregmanProximalTest {

    private final List<Example> data = SyntheticData.keywordTask(64, 5);

    @Test
    void emaTeacherFollowsTheFormulaExactlyAfterEachUpdate() {
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.FREEAT).optSteps(2)
                .optBregmanWeight(1.0).optEmaMomentum(0.9).build();
        try (Learner learner = Learner.create(config)) {
            learner.train(data.subList(0, 16));
            List<Map<String, float[]>> teachers = new ArrayList<>();
            List<Map<String, float[]>> students = new ArrayList<>();
            // Observe the teacher and the student around each of the 2 updates of the next batch.
            learner.setStepListener(new StepListener() {
                @Override
                public void beforeUpdate(int update, Map<String, NDArray> gradients) {
                    teachers.add(learner.teacherValues());
                }
            });
            learner.train(data.subList(16, 32));
            learner.setStepListener(null);
            students.add(learner.parameterValues());
            Map<String, float[]> before = teachers.get(1);
            Map<String, float[]> after = learner.teacherValues();
            Map<String, float[]> theta = students.get(0);
            float beta = 0.9f;
            float oneMinus = (float) (1.0 - 0.9);
            long compared = 0;
            for (String name : after.keySet()) {
                float[] t0 = before.get(name);
                float[] t1 = after.get(name);
                float[] th = theta.get(name);
                for (int i = 0; i < t1.length; i++) {
                    float expected = t0[i] * beta + th[i] * oneMinus;
                    if (Float.floatToIntBits(expected) != Float.floatToIntBits(t1[i])) {
                        throw new AssertionError(name + "[" + i + "]: teacher " + t1[i] + " != (1-beta)*theta + beta*teacher = "
                                + expected);
                    }
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(1000);
            // Teacher and student differ after training, and the teacher lags.
            assertThat(after.get("head.weight")).isNotEqualTo(theta.get("head.weight"));
        }
    }

    @Test
    void termIsZeroAtTeacherAndItsGradientReachesOnlyTheStudent() {
        LearnerConfig config = SyntheticData.small().optBregmanWeight(2.0).optLabels(List.of("ham", "spam")).build();
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            Network network = new Network(config);
            Parameters student = network.initialize(root, new SeededRandom(1));
            student.setRequiresGradient(true);
            Parameters teacher = student.copy(root);
            BregmanProximal term = new BregmanProximal(config, teacher);
            AdamOptimizer optimizer = new AdamOptimizer(student, root, config);
            HashingEncoder enc = new HashingEncoder(config.buckets(), config.maxLength(), 0, 1);
            List<String> texts = List.of("cheap viagra now", "project meeting at noon", "lottery winner");
            try (NDManager step = root.newSubManager()) {
                StepContext ctx = context(config, network, student, teacher, optimizer, term, enc, texts, step);
                float atTeacher = ctx.pass(null, false, true, true, logits -> term.term(ctx)).loss();
                assertThat(atTeacher).as("symKL(theta, teacher) at theta = teacher").isZero();
            }
            // Move the student away from the teacher; the term becomes positive and its gradient reaches the student.
            student.get("pooled.weight").addi(0.5f);
            Map<String, float[]> teacherBefore = teacher.toFloatArrays();
            try (NDManager step = root.newSubManager()) {
                StepContext ctx = context(config, network, student, teacher, optimizer, term, enc, texts, step);
                float value = ctx.pass(null, false, true, true, logits -> term.term(ctx)).loss();
                assertThat(value).isGreaterThan(0f);
                float[] g = student.get("head.weight").getGradient().toFloatArray();
                double sum = 0;
                for (float v : g) {
                    sum += Math.abs(v);
                }
                assertThat(sum).as("student gradient").isGreaterThan(0.0);
            }
            for (NDArray t : teacher.values()) {
                assertThat(t.hasGradient()).as("teacher requires no gradient").isFalse();
            }
            Map<String, float[]> teacherAfter = teacher.toFloatArrays();
            for (String name : teacherAfter.keySet()) {
                assertThat(teacherAfter.get(name)).containsExactly(teacherBefore.get(name));
            }
        }
    }

    @Test
    void bregmanOffMeansNoTeacherAndZeroDrift() {
        LearnerConfig config = SyntheticData.small().optBregmanWeight(0).build();
        try (Learner learner = Learner.create(config)) {
            StepResult r = learner.train(data.subList(0, 16));
            assertThat(r.teacherDriftKl()).isZero();
            assertThat(learner.exportTeacher()).isEmpty();
            assertThat(learner.teacherDriftKl(data)).isZero();
        }
        try (Learner learner = Learner.create(SyntheticData.small().optBregmanWeight(1.0).build())) {
            for (int i = 0; i < 4; i++) {
                learner.train(data.subList(i * 16, i * 16 + 16));
            }
            assertThat(learner.teacherDriftKl(data)).isGreaterThan(0.0);
        }
    }

    static StepContext context(LearnerConfig config, Network network, Parameters student, Parameters teacher,
                               AdamOptimizer optimizer, Regularizer term, HashingEncoder enc, List<String> texts,
                               NDManager step) {
        BatchInputs in = new BatchInputs(enc.encode(texts), step);
        int b = texts.size();
        int c = config.outputSize();
        float[] oneHot = new float[b * c];
        for (int i = 0; i < b; i++) {
            oneHot[i * c + (i % c)] = 1f;
        }
        return StepContext.builder(config, network, step)
                .setParams(student)
                .optTeacher(teacher)
                .setOptimizer(optimizer)
                .optRegularizers(List.of(term))
                .setBatch(in, step.create(oneHot, new Shape(b, c)), step.ones(new Shape(b)), b, c)
                .setDropout(new DropoutMasks(new SeededRandom(3), config.dropout(), step))
                .setRng(new SeededRandom(4))
                .build();
    }
}
