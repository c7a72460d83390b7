package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.BulwarkJob;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.Example;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Snapshot evaluation off the training thread: training goes on, and every version is published exactly once. */
class AsyncEvaluationTest {

    @RegisterExtension
    static final PublicationCodecs codecs = PublicationCodecs.perTestClass();

    /** Evaluations of versions from {@link #blockFrom} on wait for this latch. */
    private static volatile CountDownLatch release;
    /** Counted down when the first blocked evaluation starts waiting. */
    private static volatile CountDownLatch blocked;
    private static volatile long blockFrom;

    @BeforeEach
    void resetLatches() {
        release = new CountDownLatch(1);
        blocked = new CountDownLatch(1);
        blockFrom = 1;
    }

    private static void blockingHook(EvaluationRequest r) throws InterruptedException {
        if (r.version >= blockFrom) {
            blocked.countDown();
            release.await();
        }
    }

    private static TrainerSettings settings() {
        return TrainerSettings.builder()
                .setLearnerConfig(TestData.smallLearner().build())
                .setRegistry(codecs.config())
                .optBatchSize(8)
                .optSnapshotEveryBatches(1)
                .optHeldOutFraction(0.2)
                .optHeldOutWindow(32)
                .optAttackSteps(2)
                .optEvalMaxPending(2)
                .optEvalDutyCycle(0.5)
                .optDevice("cpu")
                .build();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> harness(
            TrainingOperator operator) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(operator, new BulwarkJob.ModelIdSelector(),
                Types.STRING);
        // Versions in flight are part of the checkpoint: more than the default 5 MB of in-memory state.
        h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20));
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> h,
                             List<TrainingEvent> events) throws Exception {
        for (TrainingEvent e : events) {
            h.processElement(new StreamRecord<>(e, e.eventTime));
        }
    }

    private static List<ModelSnapshot> snapshotsOf(List<Publication> out) {
        return codecs.snapshots(out, Publication.Kind.SNAPSHOT);
    }

    private static List<RobustnessReport> reportsOf(List<Publication> out) {
        return codecs.reports(out);
    }

    /** Events whose trained (not held-out) ones fill exactly {@code batches} batches of 8. */
    private static List<TrainingEvent> eventsForBatches(String model, int batches) {
        return eventsTrained(model, batches * 8);
    }

    /** Events of which exactly {@code count} are trained (not held out). */
    private static List<TrainingEvent> eventsTrained(String model, int count) {
        List<TrainingEvent> out = new ArrayList<>();
        int trained = 0;
        for (TrainingEvent e : TestData.events(model, "e", 2000, 7)) {
            boolean heldOut = HeldOutSelector.isHeldOut(model, e.id, 0.2);
            if (!heldOut && trained == count) {
                break;
            }
            out.add(e);
            trained += heldOut ? 0 : 1;
        }
        return out;
    }

    @Test
    void trainingGoesOnWhileAnEvaluationIsInFlight() throws Exception {
        TrainingOperator operator = new TrainingOperator(settings(), AsyncEvaluationTest::blockingHook);
        try (var h = harness(operator)) {
            h.open();
            List<TrainingEvent> events = eventsForBatches("m", 5);
            // v1's evaluation blocks; the other four batches must still train (the test fails on the timeout
            // if training waits for the evaluation).
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> feed(h, events));
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(operator.versionsInFlight()).as("versions captured while v1 is evaluated").isEqualTo(5);
            assertThat(reportsOf(h.extractOutputValues())).as("no report before v1's evaluation").isEmpty();

            // A partial batch, trained when the input ends: its version is evaluated however many are in flight.
            List<TrainingEvent> more = eventsTrained("m", 43);
            feed(h, more.subList(events.size(), more.size()));
            release.countDown();
            h.endInput();
            List<Publication> out = h.extractOutputValues();
            List<ModelSnapshot> versions = snapshotsOf(out);
            List<RobustnessReport> reportList = reportsOf(out);
            assertThat(versions).extracting(ModelSnapshot::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(reportList).extracting(RobustnessReport::getVersion)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(versions).extracting(ModelSnapshot::getBatchesSeen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(reportList.get(5).getWindowSize()).as("final version evaluated").isPositive();
            assertEachReportFollowsItsSnapshot(out);
            // eval.max-pending=2: v1 (blocked) and v2 were evaluated; v3..v5 came while two were in flight.
            for (int i = 0; i < 5; i++) {
                RobustnessReport r = reportList.get(i);
                if (i < 2) {
                    assertThat(r.getWindowSize()).as("v%d window", i + 1).isPositive();
                    assertThat(r.getCleanAccuracy()).isBetween(0.0, 1.0);
                    assertThat(r.getRobustAccuracy()).isBetween(0.0, r.getCleanAccuracy());
                } else {
                    assertThat(r.getWindowSize()).as("v%d window", i + 1).isZero();
                    assertThat(r.getCleanAccuracy()).isNaN();
                }
            }
            assertThat(reportList.get(1).getPreviousDriftKl()).as("v2 drift to v1").isNotNull();
        }
    }

    @Test
    void versionsInFlightAtACheckpointArePublishedOnceAfterRestore() throws Exception {
        blockFrom = 2;
        List<TrainingEvent> events = eventsForBatches("m", 6);
        List<TrainingEvent> firstPart = eventsForBatches("m", 3);
        List<Publication> beforeFailure = new ArrayList<>();
        OperatorSubtaskState state;
        try (var h = harness(new TrainingOperator(settings(), AsyncEvaluationTest::blockingHook))) {
            h.open();
            feed(h, firstPart);
            // v1 is evaluated, v2's evaluation waits: the checkpoint holds v2 and v3 (and any snapshot not out yet).
            assertThat(blocked.await(60, TimeUnit.SECONDS)).isTrue();
            long t = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reportsOf(h.extractOutputValues()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                h.setProcessingTime(t += 50);
            }
            h.prepareSnapshotPreBarrier(1L);
            state = h.snapshot(1L, 1L);
            beforeFailure.addAll(h.extractOutputValues());
            // Work after the checkpoint is lost with the failure (its records are never committed).
            feed(h, events.subList(firstPart.size(), events.size()));
        }
        assertThat(reportsOf(beforeFailure)).extracting(RobustnessReport::getVersion).containsExactly(1L);

        List<Publication> afterRestore;
        try (var h = harness(new TrainingOperator(settings()))) {
            h.initializeState(state);
            h.open();
            feed(h, events.subList(firstPart.size(), events.size()));
            h.endInput();
            afterRestore = h.extractOutputValues();
        }
        List<Publication> committed = new ArrayList<>(beforeFailure);
        committed.addAll(afterRestore);
        List<ModelSnapshot> versions = snapshotsOf(committed);
        List<RobustnessReport> reportList = reportsOf(committed);
        assertThat(versions).extracting(ModelSnapshot::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(reportList).extracting(RobustnessReport::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(versions).extracting(ModelSnapshot::getBatchesSeen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertEachReportFollowsItsSnapshot(committed);
        assertThat(reportList.get(1).getWindowSize()).as("v2 evaluated after the restore").isPositive();
        assertThat(reportList.get(1).getPreviousDriftKl()).as("v2 drift to v1, from the checkpoint").isNotNull();
    }

    /** In the emitted order, each version's report comes after its snapshot and its latest-snapshot record. */
    private static void assertEachReportFollowsItsSnapshot(List<Publication> out) {
        List<String> order = new ArrayList<>();
        for (Publication p : out) {
            order.add(p.kind + "@" + codecs.version(p));
        }
        for (String entry : order) {
            if (entry.startsWith("REPORT@")) {
                String v = entry.substring("REPORT@".length());
                assertThat(order.indexOf("SNAPSHOT@" + v)).as("snapshot v%s before its report", v)
                        .isBetween(0, order.indexOf(entry));
                assertThat(order.indexOf("LATEST@" + v)).as("latest v%s before its report", v)
                        .isBetween(0, order.indexOf(entry));
            }
        }
    }

    @Test
    void theDutyCyclePausesAfterEachCallAndRejectsAShareOutsideZeroToOne() {
        DutyCycle duty = new DutyCycle(0.25);
        long start = System.nanoTime();
        int out = duty.locked(() -> {
            long until = System.nanoTime() + 20_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return 7;
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(out).isEqualTo(7);
        assertThat(duty.heldNanos()).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(duty.pausedNanos()).as("paused ns").isBetween(3 * duty.heldNanos(), 3 * duty.heldNanos()
                + 50_000_000L);
        assertThat(elapsedMs).as("elapsed ms").isGreaterThanOrEqualTo(80);
        // Lifted, it stops pausing: a second call of the same length ends without a pause.
        duty.lift();
        long paused = duty.pausedNanos();
        duty.locked(() -> 0);
        assertThat(duty.pausedNanos()).isEqualTo(paused);
        assertThatThrownBy(() -> new DutyCycle(0)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new DutyCycle(1.5)).hasMessageContaining("(0, 1]");
    }

    @Test
    void pendingRequestsRoundTripAndUnknownFormatsAreRejected() {
        ModelSnapshot v1 = snapshotOf(1);
        ModelSnapshot v2 = snapshotOf(2);
        ModelSnapshot v3 = snapshotOf(3);
        List<Example> window = List.of(new Example("cheap pills", "spam", 1f), new Example("lunch?", "ham", 0.5f));
        EvaluationRequest released = new EvaluationRequest("m", 4, 300, false, snapshotOf(4), v3, List.of(), 0, 0,
                0.7, 0.5, 0.02, 1, 35.0);
        released.snapshotPublished = true;
        released.release();
        List<EvaluationRequest> chain = List.of(
                new EvaluationRequest("m", 2, 100, true, v2, v1, window, 10, 20, 0.5, 0.7, 0.01, 1, 33.0),
                new EvaluationRequest("m", 3, 200, false, v3, v2, List.of(), 0, 0, 0.6, 0.6, 0.02, 1, 34.0),
                released);
        byte[] bytes = EvaluationRequest.toBytes(chain);
        List<EvaluationRequest> back = EvaluationRequest.fromBytes(bytes);
        assertThat(back).hasSize(3);
        assertThat(back.get(2).snapshot).as("a published, unevaluated version keeps no snapshot").isNull();
        assertThat(back.get(2).previous).isNull();
        assertThat(back.get(2).snapshotPublished).isTrue();
        assertThat(back.get(2).examplesPerSecond).isEqualTo(35.0);
        assertThat(bytes.length).as("state bytes").isLessThan(
                EvaluationRequest.toBytes(chain.subList(0, 2)).length + 1000);
        assertThat(back.get(0).version).isEqualTo(2);
        assertThat(back.get(0).evaluate).isTrue();
        assertThat(back.get(0).previous.getVersion()).isEqualTo(1);
        assertThat(back.get(0).window).isEqualTo(window);
        assertThat(back.get(0).windowEnd).isEqualTo(20);
        assertThat(back.get(0).examplesPerSecond).isEqualTo(33.0);
        assertThat(back.get(1).previous).as("written once, shared").isSameAs(back.get(0).snapshot);
        assertThat(back.get(1).snapshot.getPayload()).isEqualTo(v3.getPayload());
        assertThat(back.get(1).evaluate).isFalse();

        bytes[3] = 9;
        assertThatThrownBy(() -> EvaluationRequest.fromBytes(bytes))
                .hasMessageContaining("Unsupported pending-evaluation state format 9");
    }

    private static ModelSnapshot snapshotOf(long version) {
        try (var learner = io.bulwark.model.learner.Learner.create(TestData.smallLearner().build(), "cpu")) {
            return DjlLock.locked(() -> io.bulwark.model.learner.Snapshots.toAvro(learner, "m", version,
                    version > 1 ? version - 1 : null, List.of(), java.util.Map.of("loss", 0.5)));
        }
    }
}
