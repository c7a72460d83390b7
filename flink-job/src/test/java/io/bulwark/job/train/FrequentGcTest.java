package io.bulwark.job.train;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.testutil.PublicationCodecs;
import io.bulwark.job.testutil.TestData;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Concurrent learners and recovery, repeated under a young generation of 8 MB with the serial collector, so that
 * minor collections (which free Java-side buffers and run cleaners of native arrays) fall inside training passes
 * of two threads at once. Any native array freed or reused while another thread still reads it shows up as a loss
 * or a parameter that differs from the run's solo reference in some bit.
 *
 * <p>The surefire execution {@code frequent-gc} of {@code flink-job/pom.xml} runs this class in a JVM started with
 * {@code -Xmn8m -XX:+UseSerialGC}; in any other JVM it is skipped. Alone:
 * {@code mvn -pl flink-job test -Dtest=FrequentGcTest}.
 */
class FrequentGcTest {

    /** Repetitions of each scenario; an intermittent failure once in a few runs fails the suite. */
    static final int REPETITIONS = 20;

    private static PublicationCodecs codecs;

    @BeforeAll
    static void onlyUnderASmallYoungGeneration() throws Exception {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assumeTrue(args.contains("-Xmn8m") && args.contains("-XX:+UseSerialGC"),
                "runs in the frequent-gc surefire execution (-Xmn8m -XX:+UseSerialGC), not under " + args);
        DjlLock.setIntraOpThreads(1);
        codecs = PublicationCodecs.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (codecs != null) {
            codecs.close();
        }
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void twoLearnersOnTwoThreadsMatchTheirSoloRunsInEveryRepetition() throws Exception {
        LearnerConfig freeAt = TestData.smallLearner().optBregmanWeight(1.0).build();
        LearnerConfig pgd = TestData.smallLearner().optStrategy(LearnerConfig.StrategyType.PGD)
                .optBregmanWeight(1.0).build();
        List<List<Example>> a = LearnerRuns.batches(96, 21);
        List<List<Example>> b = LearnerRuns.batches(96, 22);
        LearnerRuns.Run soloA = LearnerRuns.train(freeAt, a, null);
        LearnerRuns.Run soloB = LearnerRuns.train(pgd, b, null);
        long before = collections();
        for (int rep = 0; rep < REPETITIONS; rep++) {
            LearnerRuns.Run[] got = LearnerRuns.together(freeAt, a, pgd, b);
            LearnerRuns.assertSameRun(got[0], soloA, "FreeAT, repetition " + rep);
            LearnerRuns.assertSameRun(got[1], soloB, "PGD, repetition " + rep);
        }
        assertThat(collections() - before).as("garbage collections during the concurrent runs")
                .isGreaterThanOrEqualTo(REPETITIONS);
    }

    @Test
    void recoveryBesideAnotherLearnerGivesTheUninterruptedModelInEveryRepetition() throws Exception {
        TrainerSettings settings = TrainerSettings.builder()
                .setLearnerConfig(TestData.smallLearner().optBregmanWeight(1.0).build())
                .setRegistry(codecs.config()).optBatchSize(8).optSnapshotEveryBatches(4).optHeldOutFraction(0.1)
                .optHeldOutWindow(16).optAttackSteps(1).optEvalMaxPending(1000).optDevice("cpu").build();
        List<TrainingEvent> events = TestData.events("m", "g", 96, 5);
        List<ModelSnapshot> reference = snapshots(OperatorRuns.uninterrupted(settings, events));
        LearnerConfig other = TestData.smallLearner().optStrategy(LearnerConfig.StrategyType.PGD).build();
        List<List<Example>> otherBatches = LearnerRuns.batches(64, 23);
        LearnerRuns.Run otherSolo = LearnerRuns.train(other, otherBatches, null);
        long before = collections();
        for (int rep = 0; rep < REPETITIONS; rep++) {
            AtomicReference<LearnerRuns.Run> otherRun = new AtomicReference<>();
            Thread beside = new Thread(() -> otherRun.set(LearnerRuns.train(other, otherBatches, null)));
            beside.start();
            List<ModelSnapshot> recovered = snapshots(OperatorRuns.recovered(settings, events, 37, 20));
            beside.join();
            LearnerRuns.assertSameRun(otherRun.get(), otherSolo, "learner beside the recovery, repetition " + rep);
            assertSameTail(recovered, reference, rep);
        }
        assertThat(collections() - before).as("garbage collections during the recoveries")
                .isGreaterThanOrEqualTo(REPETITIONS);
    }

    private static List<ModelSnapshot> snapshots(List<Publication> out) {
        return codecs.snapshots(out, Publication.Kind.SNAPSHOT);
    }

    /** The recovered run published the reference's last versions, bit for bit, teacher included. */
    private static void assertSameTail(List<ModelSnapshot> recovered, List<ModelSnapshot> reference, int rep) {
        assertThat(recovered).as("versions published after the restore, repetition %d", rep).isNotEmpty();
        List<ModelSnapshot> tail = reference.subList(reference.size() - recovered.size(), reference.size());
        for (int i = 0; i < recovered.size(); i++) {
            ModelSnapshot got = recovered.get(i);
            ModelSnapshot want = tail.get(i);
            String v = "v" + want.getVersion() + ", repetition " + rep;
            assertThat(got.getVersion()).as("version").isEqualTo(want.getVersion());
            assertThat(got.getExamplesSeen()).as("examples of %s", v).isEqualTo(want.getExamplesSeen());
            assertThat(got.getPayload().getBytes()).as("student of %s", v).isEqualTo(want.getPayload().getBytes());
            assertThat(want.getTeacherPayload()).as("teacher of %s", v).isNotNull();
            assertThat(got.getTeacherPayload()).as("teacher of %s", v).isEqualTo(want.getTeacherPayload());
        }
    }
}
