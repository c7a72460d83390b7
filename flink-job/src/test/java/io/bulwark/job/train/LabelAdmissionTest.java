package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Declared label sets, and labels that become classes only after labels.min-count events. */
class LabelAdmissionTest {

    @RegisterExtension
    static final PublicationCodecs codecs = PublicationCodecs.perTestClass();

    private static TrainerSettings.Builder settings(int minCount) {
        return TrainerSettings.builder().setLearnerConfig(TestData.smallLearner().build()).setRegistry(codecs.config())
                .optBatchSize(4).optSnapshotEveryBatches(0).optHeldOutFraction(0).optRobustEval(false)
                .optDevice("cpu").optLabelMinCount(minCount);
    }

    /** 24 ham/spam events with a one-off typo "spma" at 5 and three "eggs" at 3, 11 and 19. */
    private static List<TrainingEvent> events() {
        List<TrainingEvent> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String label = i == 5 ? "spma" : i % 8 == 3 ? "eggs" : i % 2 == 0 ? "ham" : "spam";
            out.add(TestData.event("m", "e" + i, "text number " + i + " " + label, label, i));
        }
        return out;
    }

    private static List<Rejected> deadLetters(KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent,
            Publication> h) {
        List<Rejected> out = new ArrayList<>();
        var side = h.getSideOutput(TrainingOperator.DEAD_LETTERS);
        if (side != null) {
            side.forEach(r -> out.add(((StreamRecord<Rejected>) r).getValue()));
        }
        return out;
    }

    private static ModelSnapshot lastSnapshot(List<Publication> out) {
        List<ModelSnapshot> s = codecs.snapshots(out, Publication.Kind.SNAPSHOT);
        return s.get(s.size() - 1);
    }

    @Test
    void aDeclaredLabelSetDeadLettersEveryOtherLabel() throws Exception {
        TrainerSettings s = settings(1).setLearnerConfig(TestData.smallLearner()
                .optLabels(List.of("ham", "spam")).build()).build();
        try (var h = OperatorRuns.harness(s)) {
            h.open();
            OperatorRuns.feed(h, events());
            h.endInput();
            assertThat(deadLetters(h)).extracting(r -> r.offset).containsExactly(3L, 5L, 11L, 19L);
            assertThat(deadLetters(h)).allSatisfy(r -> {
                assertThat(r.reason).isEqualTo(DeadLetterReason.UNKNOWN_LABEL.name());
                assertThat(r.detail).contains("not in the fixed label set [ham, spam]");
            });
            assertThat(lastSnapshot(h.extractOutputValues()).getExamplesSeen()).isEqualTo(20);
        }
    }

    @Test
    void aOneOffLabelNeverBecomesAClassAndARepeatedOneDoesWithAllItsEvents() throws Exception {
        try (var h = OperatorRuns.harness(settings(3).build())) {
            h.open();
            OperatorRuns.feed(h, events());
            h.endInput();
            ModelSnapshot last = lastSnapshot(h.extractOutputValues());
            assertThat(last.getLabels()).containsExactlyInAnyOrder("ham", "spam", "eggs");
            assertThat(last.getExamplesSeen()).as("every event but the typo, the held-back eggs included")
                    .isEqualTo(23);
            assertThat(deadLetters(h)).singleElement().satisfies(r -> {
                assertThat(r.offset).isEqualTo(5L);
                assertThat(r.reason).isEqualTo(DeadLetterReason.UNKNOWN_LABEL.name());
                assertThat(r.detail).contains("'spma'").contains("fewer than labels.min-count=3");
            });
        }
        // With a minimum count of 1 (the earlier behaviour) the typo becomes a class.
        try (var h = OperatorRuns.harness(settings(1).build())) {
            h.open();
            OperatorRuns.feed(h, events());
            h.endInput();
            assertThat(lastSnapshot(h.extractOutputValues()).getLabels()).contains("spma");
        }
    }

    @Test
    void heldBackEventsSurviveACheckpointAndTrainOnceTheirLabelQualifies() throws Exception {
        List<TrainingEvent> events = events();
        List<Publication> reference = OperatorRuns.uninterrupted(settings(3).build(), events);
        // The checkpoint at 15 holds two eggs events back; the third arrives after the restore.
        List<Publication> recovered = OperatorRuns.recovered(settings(3).build(), events, 15, 6);
        ModelSnapshot want = lastSnapshot(reference);
        ModelSnapshot got = lastSnapshot(recovered);
        assertThat(got.getLabels()).containsExactlyInAnyOrder("ham", "spam", "eggs");
        assertThat(got.getExamplesSeen()).isEqualTo(23);
        assertThat(got.getPayload().getBytes()).isEqualTo(want.getPayload().getBytes());
    }
}
