package io.bulwark.job.train;

import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's counters mean what they say: unlabeled events that reach no gradient are counted as unlabeled, not
 * trained; the held-out window holds the most recent held-out events.
 */
class CountersTest {

    @RegisterExtension
    static final PublicationCodecs codecs = PublicationCodecs.perTestClass();

    private static TrainerSettings.Builder settings(double smartWeight) {
        return TrainerSettings.builder()
                .setLearnerConfig(TestData.smallLearner().optSmartWeight(smartWeight).build())
                .setRegistry(codecs.config())
                .optBatchSize(8)
                .optSnapshotEveryBatches(0)
                .optHeldOutFraction(0)
                .optAttackSteps(1)
                .optEvalMaxPending(1000)
                .optDevice("cpu");
    }

    /** 40 labeled events with 12 unlabeled ones among them. */
    private static List<TrainingEvent> mixed() {
        List<TrainingEvent> events = new ArrayList<>(TestData.events("m", "l", 40, 3));
        for (int i = 0; i < 12; i++) {
            TrainingEvent u = TestData.event("m", "u-" + i, "no label on this text " + i, null, 100 + i);
            events.add(3 * i + 1, u);
        }
        return events;
    }

    private static ModelProgress run(TrainerSettings settings, List<TrainingEvent> events) throws Exception {
        TrainingOperator op = new TrainingOperator(settings);
        try (var h = OperatorRuns.harness(op)) {
            h.open();
            OperatorRuns.feed(h, events);
            h.endInput();
            return op.models().resident("m").progress;
        }
    }

    @Test
    void unlabeledEventsWithoutAnUnlabeledTermAreNotCountedAsTrained() throws Exception {
        ModelProgress p = run(settings(0).build(), mixed());
        assertThat(p.examplesTrained).isEqualTo(40);
        assertThat(p.labeledTrained).isEqualTo(40);
        assertThat(p.unlabeled).isEqualTo(12);
        assertThat(p.examplesTrained + p.unlabeled + p.heldOut + p.deadLetters).isEqualTo(52);
        // Their offsets still advance: the model reflects every event it received.
        p.commitOffsets();
        assertThat(p.sourceOffsets()).singleElement().satisfies(o -> assertThat(o.getOffset()).isEqualTo(112));
    }

    @Test
    void withTheVatTermUnlabeledEventsReachAGradientAndCountAsTrained() throws Exception {
        ModelProgress p = run(settings(0.5).build(), mixed());
        assertThat(p.examplesTrained).isEqualTo(52);
        assertThat(p.labeledTrained).isEqualTo(40);
        assertThat(p.unlabeled).isZero();
    }

    @Test
    void theHeldOutWindowKeepsTheMostRecentHeldOutEventsInOrder() throws Exception {
        List<TrainingEvent> events = TestData.events("m", "h", 200, 5);
        TrainerSettings s = settings(0).optHeldOutFraction(0.3).optHeldOutWindow(6).build();
        List<String> heldOut = events.stream().filter(e -> HeldOutSelector.isHeldOut("m", e.id, 0.3))
                .map(e -> e.text).toList();
        assertThat(heldOut.size()).isGreaterThan(6);
        TrainingOperator op = new TrainingOperator(s);
        try (var h = OperatorRuns.harness(op)) {
            h.open();
            OperatorRuns.feed(h, events);
            ModelSlot slot = op.models().resident("m");
            assertThat(slot.heldOutWindow).extracting(e -> e.text)
                    .containsExactlyElementsOf(heldOut.subList(heldOut.size() - 6, heldOut.size()));
            assertThat(slot.progress.heldOut).isEqualTo(heldOut.size());
        }
    }
}
