package io.bulwark.model.regularizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.encoding.HashingEncoder;
import io.bulwark.model.nn.Network;
import io.bulwark.model.nn.Parameters;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.optim.AdamOptimizer;
import io.bulwark.model.strategy.StepContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmoothnessRegularizerTest {

    @Test
    void ascentIncreasesTheSymmetricKlAndAddsPasses() {
        LearnerConfig config = SyntheticData.small().optSmartWeight(1.0).optSmartSteps(3).optDropout(0)
                .optEpsilon(0.5).optAlpha(0.2).optBregmanWeight(0).optLabels(List.of("ham", "spam")).build();
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            Network network = new Network(config);
            Parameters student = network.initialize(root, new SeededRandom(1));
            student.setRequiresGradient(true);
            AdamOptimizer optimizer = new AdamOptimizer(student, root, config);
            HashingEncoder enc = new HashingEncoder(config.buckets(), config.maxLength(), 0, 1);
            List<String> texts = List.of("cheap viagra now", "project meeting at noon", "lottery winner w1 w2");
            // One ascent step vs three: the adversarial term must grow with the search.
            float[] values = new float[2];
            int[] passes = new int[2];
            int i = 0;
            for (int steps : new int[] {1, 3}) {
                LearnerConfig c = config.toBuilder().optSmartSteps(steps).build();
                SmoothnessRegularizer term = new SmoothnessRegularizer(c);
                try (NDManager step = root.newSubManager()) {
                    StepContext ctx = BregmanProximalTest.context(c, network, student, null, optimizer, term, enc,
                            texts, step);
                    term.prepare(ctx);
                    passes[i] = ctx.passes();
                    values[i] = term.term(ctx).getFloat();
                }
                i++;
            }
            assertThat(passes).containsExactly(1, 3);
            assertThat(values[0]).isGreaterThan(0f);
            assertThat(values[1]).as("3-step term vs 1-step term %s", values[0]).isGreaterThan(values[0]);
        }
    }

    @Test
    void unlabeledExamplesTrainThroughTheSmoothnessTermOnly() {
        List<Example> data = SyntheticData.keywordTask(16, 2);
        List<Example> unlabeled = new ArrayList<>();
        for (Example e : SyntheticData.keywordTask(16, 3)) {
            unlabeled.add(Example.unlabeled(e.text()));
        }
        LearnerConfig vat = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.NATURAL).optSmartWeight(1.0)
                .optSmartSteps(2).build();
        try (Learner learner = Learner.create(vat)) {
            learner.train(data);
            StepResult r = learner.train(unlabeled);
            assertThat(r.labeled()).isZero();
            assertThat(r.updates()).as("VAT trains on unlabeled examples").isEqualTo(1);
            assertThat(r.passes()).as("2 ascent passes + 1 training pass").isEqualTo(3);
            assertThat(r.loss()).isGreaterThan(0.0);
        }
        LearnerConfig noVat = vat.toBuilder().optVatOnUnlabeled(false).build();
        try (Learner learner = Learner.create(noVat)) {
            learner.train(data);
            StepResult r = learner.train(unlabeled);
            assertThat(r.updates()).isZero();
            assertThat(r.passes()).isZero();
            assertThat(learner.examplesSeen()).isEqualTo(32);
        }
    }
}
