package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.avro.SourceOffset;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;

import io.bulwark.model.snapshot.CheckpointData;
import io.bulwark.model.snapshot.CheckpointFormat;
import io.bulwark.model.snapshot.SnapshotFiles;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingOperatorTest {

    @RegisterExtension
    static final PublicationCodecs codecs = PublicationCodecs.perTestClass();

    private static TrainerSettings.Builder settings() {
        return TrainerSettings.builder()
                .setLearnerConfig(TestData.smallLearner().build())
                .setRegistry(codecs.config())
                .optBatchSize(8)
                .optSnapshotEveryBatches(3)
                .optHeldOutFraction(0.1)
                .optHeldOutWindow(32)
                .optAttackSteps(2)
                // Evaluate every version, however far the evaluation thread falls behind.
                .optEvalMaxPending(1000)
                .optDevice("cpu");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> harness(
            TrainerSettings settings) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new TrainingOperator(settings),
                new BulwarkJob.ModelIdSelector(), Types.STRING);
    }

    private static List<ModelSnapshot> snapshotsOf(List<Publication> out, Publication.Kind kind) {
        return codecs.snapshots(out, kind);
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> h,
                             List<TrainingEvent> events) throws Exception {
        for (TrainingEvent e : events) {
            h.processElement(new StreamRecord<>(e, e.eventTime));
        }
    }

    @Test
    void reportsCarryTheAttackSuiteOnlyWhenAsked() throws Exception {
        List<TrainingEvent> events = TestData.events("spam", "a", 120, 2);
        for (int texts : new int[] {0, 3}) {
            try (var h = harness(settings().optAttackTexts(texts).build())) {
                h.open();
                feed(h, events);
                h.endInput();
                List<RobustnessReport> reportList = codecs.reports(h.extractOutputValues());
                RobustnessReport last = reportList.get(reportList.size() - 1);
                if (texts == 0) {
                    assertThat(last.getAttacks()).isEmpty();
                    continue;
                }
                assertThat(last.getAttacks().keySet().stream().map(Object::toString))
                        .contains("typo", "leet", "homoglyph", "separator", "zero-width", "case", "deletion",
                                "good-words", "hotflip");
                last.getAttacks().values().forEach(r -> {
                    assertThat(r.getExamples()).isBetween(1, texts);
                    assertThat(r.getAccuracy()).isBetween(0.0, 1.0);
                    assertThat(r.getSuccessRate()).isBetween(0.0, 1.0);
                });
            }
        }
    }

    @Test
    void trainsFullBatchesAndPublishesVersionedSnapshotsWithReports() throws Exception {
        List<TrainingEvent> events = TestData.events("spam", "e", 120, 1);
        long heldOut = events.stream().filter(e -> HeldOutSelector.isHeldOut("spam", e.id, 0.1)).count();
        try (var h = harness(settings().build())) {
            h.open();
            feed(h, events);
            h.endInput();
            List<Publication> out = h.extractOutputValues();
            List<ModelSnapshot> versions = snapshotsOf(out, Publication.Kind.SNAPSHOT);
            List<ModelSnapshot> latest = snapshotsOf(out, Publication.Kind.LATEST);
            List<RobustnessReport> reportList = codecs.reports(out);

            long trained = events.size() - heldOut;
            long fullBatches = trained / 8;
            long expectedSnapshots = fullBatches / 3 + (fullBatches % 3 != 0 || trained % 8 != 0 ? 1 : 0);
            assertThat(versions).hasSize((int) expectedSnapshots).hasSameSizeAs(latest).hasSameSizeAs(reportList);
            for (int i = 0; i < versions.size(); i++) {
                ModelSnapshot s = versions.get(i);
                assertThat(s.getModelId()).isEqualTo("spam");
                assertThat(s.getVersion()).isEqualTo(i + 1);
                assertThat(s.getParentVersion()).isEqualTo(i == 0 ? null : (long) i);
                assertThat(s.getTrainingConfig()).isNotEmpty();
                assertThat(s.getSourceOffsets()).isNotEmpty();
                assertThat(reportList.get(i).getVersion()).isEqualTo(i + 1);
                assertThat(reportList.get(i).getPreviousDriftKl() == null).isEqualTo(i == 0);
            }
            ModelSnapshot last = versions.get(versions.size() - 1);
            assertThat(last.getExamplesSeen()).isEqualTo(trained);
            assertThat(last.getLabels()).containsExactlyInAnyOrder("spam", "ham");
            SourceOffset offset = last.getSourceOffsets().get(0);
            assertThat(offset.getTopic()).isEqualTo("bulwark.events");
            assertThat(offset.getOffset()).isEqualTo(events.size());
            RobustnessReport lastReport = reportList.get(reportList.size() - 1);
            assertThat(lastReport.getWindowSize()).isEqualTo((int) heldOut);
            assertThat(lastReport.getCleanAccuracy()).isBetween(0.0, 1.0);
            assertThat(lastReport.getRobustAccuracy()).isBetween(0.0, lastReport.getCleanAccuracy());
            // the held-out losses behind the monitor's loss gap: PGD only raises the loss it starts from
            assertThat(lastReport.getCleanLoss()).isNotNull().isPositive();
            assertThat(lastReport.getAdversarialLoss()).isNotNull().isGreaterThanOrEqualTo(lastReport.getCleanLoss());
            assertThat(last.getMetrics()).containsKeys("prequentialAccuracy", "heldOutWindow", "deltaNorm");
            assertThat(h.getSideOutput(TrainingOperator.DEAD_LETTERS)).isNullOrEmpty();
        }
    }

    @Test
    void snapshotAndRestoreGiveTheSameModelAsAnUninterruptedRun() throws Exception {
        List<TrainingEvent> events = TestData.events("m", "e", 100, 2);
        // The EMA teacher is on: its parameters are part of the restored state and of the published snapshot.
        TrainerSettings s = settings().setLearnerConfig(TestData.smallLearner().optBregmanWeight(1.0).build())
                .optSnapshotEveryBatches(0).build();

        ModelSnapshot uninterrupted;
        try (var h = harness(s)) {
            h.open();
            feed(h, events);
            h.endInput();
            uninterrupted = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
        }

        OperatorSubtaskState state;
        try (var h = harness(s)) {
            h.open();
            feed(h, events.subList(0, 43));
            state = h.snapshot(1L, 1L);
            // Work after the checkpoint is lost with the failure and replayed below.
            feed(h, events.subList(43, 60));
        }
        ModelSnapshot resumed;
        try (var h = harness(s)) {
            h.initializeState(state);
            h.open();
            feed(h, events.subList(43, events.size()));
            h.endInput();
            resumed = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
        }
        assertThat(resumed.getExamplesSeen()).isEqualTo(uninterrupted.getExamplesSeen());
        assertThat(resumed.getBatchesSeen()).isEqualTo(uninterrupted.getBatchesSeen());
        assertThat(resumed.getVersion()).isEqualTo(uninterrupted.getVersion());
        assertThat(resumed.getSourceOffsets()).isEqualTo(uninterrupted.getSourceOffsets());
        assertThat(resumed.getPayload().getBytes()).isEqualTo(uninterrupted.getPayload().getBytes());
        assertThat(uninterrupted.getTeacherPayload()).as("teacher parameters published").isNotNull();
        assertThat(uninterrupted.getTeacherPayload().getBytes())
                .as("the teacher lags the student").isNotEqualTo(uninterrupted.getPayload().getBytes());
        assertThat(resumed.getTeacherPayload()).isEqualTo(uninterrupted.getTeacherPayload());
    }

    @Test
    void stateWrittenAsEncodedBytesStillRestores() throws Exception {
        List<TrainingEvent> events = TestData.events("m", "e", 100, 3);
        TrainerSettings s = settings().optSnapshotEveryBatches(2).build();
        List<Publication> uninterrupted = OperatorRuns.uninterrupted(s, events);

        OperatorSubtaskState legacy;
        try (var h = harness(s)) {
            // The in-memory checkpoint storage, with room for a learner, its published versions and those in flight.
            h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20));
            h.open();
            feed(h, events.subList(0, 43));
            h.snapshot(1L, 1L);
            // Rewrite the model's learner and previous snapshot as earlier versions of the job stored them: bytes.
            TrainingOperator op = (TrainingOperator) h.getOperator();
            op.setCurrentKey("m");
            KeyedStateBackend<String> backend = op.getKeyedStateBackend();
            ValueState<CheckpointData> learner = valueState(backend, new ValueStateDescriptor<>(SlotState.LEARNER,
                    LearnerStateSerializer.INSTANCE));
            ValueState<ModelSnapshot> previous = valueState(backend, new ValueStateDescriptor<>(SlotState.PREVIOUS,
                    SnapshotStateSerializer.INSTANCE));
            ValueState<byte[]> learnerBytes = valueState(backend, new ValueStateDescriptor<>(SlotState.LEARNER_BYTES,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            ValueState<byte[]> previousBytes = valueState(backend, new ValueStateDescriptor<>(
                    SlotState.PREVIOUS_BYTES, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            assertThat(learner.value()).isNotNull();
            assertThat(previous.value()).as("a version was published before the checkpoint").isNotNull();
            assertThat(learnerBytes.value()).isNull();
            learnerBytes.update(CheckpointFormat.encode(learner.value()));
            previousBytes.update(SnapshotFiles.toBytes(previous.value()));
            learner.clear();
            previous.clear();
            legacy = h.snapshot(2L, 2L);
        }
        List<Publication> resumed;
        try (var h = harness(s)) {
            h.initializeState(legacy);
            h.open();
            feed(h, events.subList(43, events.size()));
            h.endInput();
            resumed = new ArrayList<>(h.extractOutputValues());
        }
        ModelSnapshot a = last(snapshotsOf(uninterrupted, Publication.Kind.SNAPSHOT));
        ModelSnapshot b = last(snapshotsOf(resumed, Publication.Kind.SNAPSHOT));
        assertThat(b.getVersion()).isEqualTo(a.getVersion());
        assertThat(b.getPayload().getBytes()).isEqualTo(a.getPayload().getBytes());
        // The drift to the previous version needs the restored previous snapshot.
        // Versions in flight at the checkpoint are evaluated again after the restore; the first version captured
        // after it drifts from the restored previous snapshot.
        Map<Long, Double> drift = driftByVersion(resumed);
        assertThat(drift).hasSizeGreaterThan(2).isEqualTo(driftByVersion(uninterrupted));
        assertThat(drift.values().stream().filter(Objects::nonNull).count()).isGreaterThan(2);
    }

    private static Map<Long, Double> driftByVersion(List<Publication> out) {
        Map<Long, Double> drift = new TreeMap<>();
        codecs.reports(out).forEach(r -> drift.put(r.getVersion(), r.getPreviousDriftKl()));
        return drift;
    }

    private static <T> ValueState<T> valueState(KeyedStateBackend<String> backend,
                                                ValueStateDescriptor<T> descriptor) throws Exception {
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    @Test
    void takingCheckpointsDoesNotChangeTraining() throws Exception {
        List<TrainingEvent> events = TestData.events("m", "e", 96, 8);
        TrainerSettings s = settings().optSnapshotEveryBatches(0).optHeldOutFraction(0).build();
        ModelSnapshot plain;
        try (var h = harness(s)) {
            h.open();
            feed(h, events);
            h.endInput();
            plain = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
        }
        ModelSnapshot checkpointed;
        try (var h = harness(s)) {
            h.open();
            long id = 0;
            for (int i = 0; i < events.size(); i++) {
                h.processElement(new StreamRecord<>(events.get(i)));
                if (i % 5 == 0) {
                    h.snapshot(++id, id);
                    h.notifyOfCompletedCheckpoint(id);
                }
            }
            h.endInput();
            checkpointed = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
        }
        assertThat(checkpointed.getPayload().getBytes()).isEqualTo(plain.getPayload().getBytes());
    }

    @Test
    void labelsBeyondTheLearnedCapAreDeadLettered() throws Exception {
        TrainerSettings s = settings().setLearnerConfig(TestData.smallLearner().optMaxLabels(2).build())
                .optHeldOutFraction(0).build();
        try (var h = harness(s)) {
            h.open();
            List<TrainingEvent> events = new ArrayList<>();
            events.add(TestData.event("m", "a", "hello there", "ham", 0));
            events.add(TestData.event("m", "b", "cheap pills", "spam", 1));
            events.add(TestData.event("m", "c", "what is this", "eggs", 2));
            events.add(TestData.event("m", "d", "no label", null, 3));
            feed(h, events);
            h.endInput();
            List<Rejected> dead = h.getSideOutput(TrainingOperator.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.reason).isEqualTo(DeadLetterReason.UNKNOWN_LABEL.name());
                assertThat(r.offset).isEqualTo(2);
                assertThat(r.value).isEqualTo("raw-c".getBytes());
                assertThat(r.detail).contains("eggs").contains("maximum of 2");
            });
            ModelSnapshot last = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
            // The unlabeled event reaches no gradient (no VAT term): not trained, its offset still reflected.
            assertThat(last.getExamplesSeen()).isEqualTo(2);
            assertThat(last.getSourceOffsets().get(0).getOffset()).isEqualTo(4);
        }
    }

    @Test
    void aFixedLabelSetRejectsEveryOtherLabel() throws Exception {
        TrainerSettings s = settings().setLearnerConfig(TestData.smallLearner()
                .optLabels(List.of("ham", "spam")).build()).optHeldOutFraction(0).build();
        try (var h = harness(s)) {
            h.open();
            feed(h, List.of(TestData.event("m", "a", "hello", "HAM", 0), TestData.event("m", "b", "hi", "ham", 1)));
            assertThat(h.getSideOutput(TrainingOperator.DEAD_LETTERS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().detail).contains("fixed label set"));
        }
    }

    @Test
    void aPartialBatchIsTrainedWhenItsTimeoutExpires() throws Exception {
        TrainerSettings s = settings().optHeldOutFraction(0).optSnapshotEveryBatches(1)
                .optBatchTimeout(Duration.ofSeconds(2)).build();
        try (var h = harness(s)) {
            h.open();
            h.setProcessingTime(1_000);
            feed(h, TestData.events("m", "e", 3, 3));
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(2_999);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(3_000);
            // The batch trained at 3 s; its version is emitted once its evaluation is done.
            List<ModelSnapshot> out = awaitSnapshots(h, 3_000, 1);
            assertThat(out).singleElement().satisfies(m -> assertThat(m.getExamplesSeen()).isEqualTo(3));
        }
    }

    @Test
    void modelsOfDifferentKeysTrainIndependently() throws Exception {
        TrainerSettings s = settings().optSnapshotEveryBatches(0).build();
        List<TrainingEvent> a = TestData.events("a", "x", 40, 4);
        List<TrainingEvent> b = TestData.events("b", "y", 24, 5);
        ModelSnapshot aliceAlone;
        try (var h = harness(s)) {
            h.open();
            feed(h, a);
            h.endInput();
            aliceAlone = last(snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT));
        }
        try (var h = harness(s)) {
            h.open();
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                if (i < a.size()) {
                    h.processElement(new StreamRecord<>(a.get(i)));
                }
                if (i < b.size()) {
                    h.processElement(new StreamRecord<>(b.get(i)));
                }
            }
            h.endInput();
            List<ModelSnapshot> out = snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT);
            assertThat(out).extracting(ModelSnapshot::getModelId).containsExactlyInAnyOrder("a", "b");
            ModelSnapshot alice = out.stream().filter(m -> m.getModelId().equals("a")).findFirst().orElseThrow();
            assertThat(alice.getPayload().getBytes()).isEqualTo(aliceAlone.getPayload().getBytes());
        }
    }

    @Test
    void injectedFaultFiresOnceAfterACompletedCheckpoint() throws Exception {
        TrainerSettings s = settings().optHeldOutFraction(0).optSnapshotEveryBatches(0).optFailAfterBatches(2)
                .build();
        try (var h = harness(s)) {
            h.open();
            List<TrainingEvent> events = TestData.events("m", "e", 40, 6);
            feed(h, events.subList(0, 24));
            h.snapshot(1L, 1L);
            h.notifyOfCompletedCheckpoint(1L);
            assertThatThrownBy(() -> feed(h, events.subList(24, 32)))
                    .isInstanceOf(TrainingOperator.InjectedFault.class)
                    .hasMessageContaining("fault.fail-after-batches=2");
        }
    }

    /** Advances processing time (the operator looks for finished evaluations on a timer) until n snapshots. */
    private static List<ModelSnapshot> awaitSnapshots(
            KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> h, long from, int n)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long t = from;
        List<ModelSnapshot> out = snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT);
        while (out.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
            t += 20;
            h.setProcessingTime(t);
            out = snapshotsOf(h.extractOutputValues(), Publication.Kind.SNAPSHOT);
        }
        return out;
    }

    private static <T> T last(List<T> list) {
        assertThat(list).isNotEmpty();
        return list.get(list.size() - 1);
    }

}
