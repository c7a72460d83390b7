package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Models idle for {@code model.idle-eviction} leave memory and come back from keyed state, training on unchanged. */
class IdleEvictionTest {

    private static final long IDLE_MS = 1_000;
    @RegisterExtension
    static final PublicationCodecs codecs = PublicationCodecs.perTestClass();

    private static TrainerSettings settings() {
        return TrainerSettings.builder()
                .setLearnerConfig(TestData.smallLearner().optBregmanWeight(1.0).build())
                .setRegistry(codecs.config()).optBatchSize(8).optSnapshotEveryBatches(2).optHeldOutFraction(0.1)
                .optHeldOutWindow(16).optAttackSteps(1).optEvalMaxPending(1000).optDevice("cpu")
                .optIdleEviction(Duration.ofMillis(IDLE_MS)).build();
    }

    /** Two models, interleaved: "a" goes quiet after event 60 while "b" goes on. */
    private static List<TrainingEvent> events() {
        List<TrainingEvent> a = TestData.events("a", "ea", 100, 3);
        List<TrainingEvent> b = TestData.events("b", "eb", 100, 4);
        List<TrainingEvent> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            out.add(a.get(i));
            out.add(b.get(i));
        }
        return out;
    }

    /** Advances processing time until model {@code id} is out of memory, its evaluations emitted first. */
    private static long evict(KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> h,
                              TrainingOperator op, String id, long from) throws Exception {
        long t = from;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (op.models().resident(id) != null) {
            assertThat(System.nanoTime()).as("model '%s' evicted within 60 s", id).isLessThan(deadline);
            Thread.sleep(5);
            h.setProcessingTime(t += IDLE_MS / 2);
        }
        return t;
    }

    private static void assertSameModels(List<Publication> got, List<Publication> expected) {
        List<ModelSnapshot> g = codecs.snapshots(got, Publication.Kind.SNAPSHOT);
        List<ModelSnapshot> e = codecs.snapshots(expected, Publication.Kind.SNAPSHOT);
        assertThat(g).extracting(s -> s.getModelId() + " v" + s.getVersion() + " " + s.getExamplesSeen())
                .isEqualTo(e.stream().map(s -> s.getModelId() + " v" + s.getVersion() + " " + s.getExamplesSeen())
                        .toList());
        for (int i = 0; i < e.size(); i++) {
            String v = e.get(i).getModelId() + " v" + e.get(i).getVersion();
            assertThat(g.get(i).getPayload().getBytes()).as("student of %s", v)
                    .isEqualTo(e.get(i).getPayload().getBytes());
            assertThat(g.get(i).getTeacherPayload()).as("teacher of %s", v).isNotNull()
                    .isEqualTo(e.get(i).getTeacherPayload());
            assertThat(g.get(i).getSourceOffsets()).as("offsets of %s", v).isEqualTo(e.get(i).getSourceOffsets());
        }
    }

    @Test
    void anEvictedModelComesBackOnItsNextEventAndTrainsAsIfItHadStayed() throws Exception {
        List<TrainingEvent> events = events();
        // No processing time passes in the reference run: nothing is ever idle.
        List<Publication> reference = OperatorRuns.uninterrupted(settings(), events);

        TrainingOperator op = new TrainingOperator(settings());
        List<Publication> got = new ArrayList<>();
        try (var h = OperatorRuns.harness(op)) {
            h.open();
            // 61 events of model a, the last 5 pending in a partial batch, and 60 of b.
            OperatorRuns.feed(h, events.subList(0, 121));
            long inMemory = op.models().resident("a").memoryBytes;
            assertThat(inMemory).as("memory of model a").isGreaterThan(100_000L);
            long t = evict(h, op, "a", 0);
            assertThat(op.models().resident("b")).as("b was idle as long").isNull();
            assertThat(op.models().known()).extracting(s -> s.memoryBytes).containsOnly(0L);
            OperatorRuns.feed(h, events.subList(121, 160));
            assertThat(op.models().resident("a").memoryBytes).as("memory of model a, read back")
                    .isGreaterThan(100_000L);
            evict(h, op, "a", t);
            OperatorRuns.feed(h, events.subList(160, events.size()));
            h.endInput();
            got.addAll(h.extractOutputValues());
        }
        assertSameModels(got, reference);
    }

    @Test
    void aCheckpointTakenWhileAModelIsEvictedRestoresIt() throws Exception {
        List<TrainingEvent> events = events();
        List<Publication> reference = OperatorRuns.uninterrupted(settings(), events);
        List<Publication> got = new ArrayList<>();
        OperatorSubtaskState state;
        TrainingOperator op = new TrainingOperator(settings());
        try (var h = OperatorRuns.harness(op)) {
            h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20)); // two models' state
            h.open();
            OperatorRuns.feed(h, events.subList(0, 85));
            evict(h, op, "a", 0);
            assertThat(op.models().resident()).isEmpty();
            h.prepareSnapshotPreBarrier(1L);
            state = h.snapshot(1L, 1L);
            got.addAll(h.extractOutputValues());
        }
        try (var h = OperatorRuns.harness(settings())) {
            h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20));
            h.initializeState(state);
            h.open();
            OperatorRuns.feed(h, events.subList(85, events.size()));
            h.endInput();
            got.addAll(h.extractOutputValues());
        }
        assertSameModels(got, reference);
    }
}
