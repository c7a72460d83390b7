package io.bulwark.model.continual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.model.continual.benchmark.ContinualBenchmark;
import io.bulwark.model.continual.benchmark.ContinualStream;
import io.bulwark.model.ContinualConfig;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.Prediction;
import io.bulwark.model.StepResult;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Snapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContinualTest {
    private static final List<String> LABELS = List.of("ham", "spam");

    private static LearnerConfig.Builder small() {
        return SyntheticData.small().optLabels(LABELS)
                .optContinual(ContinualConfig.DEFAULTS.withReplayPerClass(20).withWideBuckets(4096).withProbePerClass(0));
    }

    @Test
    void replayStaysClassBalancedUnderALongRunOfOneClass() {
        Replay replay = new Replay(50, 0.25, 1L);
        List<Example> stream = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            stream.add(Example.of("a" + i, "a"));
        }
        for (int i = 0; i < 100; i++) {
            stream.add(Example.of("b" + i, "b"));
        }
        for (int i = 0; i < 10; i++) {
            stream.add(Example.of("c" + i, "c"));
        }
        replay.offer(stream);
        Map<String, List<Example>> held = replay.contents();
        assertThat(held.get("a")).hasSize(50);
        assertThat(held.get("b")).hasSize(50);
        assertThat(held.get("c")).hasSize(10);
        // A reservoir sample, not the first 50: about half of "a" comes from the second half of its run.
        long late = held.get("a").stream().filter(e -> Integer.parseInt(e.text().substring(1)) >= 1000).count();
        assertThat(late).as("late examples in the reservoir of a").isBetween(12L, 38L);
        Map<String, Integer> drawn = new LinkedHashMap<>();
        for (Example e : replay.draw(3000)) {
            drawn.merge(e.label(), 1, Integer::sum);
        }
        assertThat(drawn.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        drawn.forEach((label, n) -> assertThat(n).as("draws of class %s", label).isBetween(900, 1100));
    }

    @Test
    void replayMixesIntoBatchesAndSurvivesCheckpointRestoreBitwise() {
        List<Example> data = SyntheticData.keywordTask(160, 3);
        try (Learner a = Learner.create(small().build())) {
            a.train(data.subList(0, 96));
            assertThat(a.replay()).isPresent();
            assertThat(a.replay().get().contents().values()).allSatisfy(r -> assertThat(r).hasSize(20));
            byte[] checkpoint = a.checkpoint();
            try (Learner b = Learner.restore(checkpoint, "cpu")) {
                assertThat(b.replay().get().contents()).isEqualTo(a.replay().get().contents());
                assertThat(b.checkpoint()).isEqualTo(checkpoint);
                for (int i = 96; i < 160; i += 16) {
                    StepResult ra = a.train(data.subList(i, i + 16));
                    StepResult rb = b.train(data.subList(i, i + 16));
                    assertThat(rb).isEqualTo(ra);
                }
                assertThat(b.checkpoint()).as("state after further training").isEqualTo(a.checkpoint());
                assertThat(b.predict(List.of("casino lottery w1", "project report w2")))
                        .extracting(Prediction::probabilities)
                        .containsExactlyElementsOf(a.predict(List.of("casino lottery w1", "project report w2"))
                                .stream().map(Prediction::probabilities).toList());
            }
        }
    }

    @Test
    void replayedExamplesJoinTheTrainingBatch() {
        List<Example> data = SyntheticData.keywordTask(64, 5);
        LearnerConfig withReplay = small().build();
        LearnerConfig without = small().optContinual(ContinualConfig.DEFAULTS.withReplayPerClass(0)
                .withWideBuckets(4096).withProbePerClass(0)).build();
        try (Learner a = Learner.create(withReplay); Learner b = Learner.create(without)) {
            a.train(data);
            b.train(data);
            assertThat(a.replay().get().seen().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(64);
            assertThat(b.replay()).isEmpty();
            assertThat(a.parameterValues().get("head.weight")).isNotEqualTo(b.parameterValues().get("head.weight"));
        }
    }

    @Test
    void theWideSideLearnsFromTheFirstExample() {
        ContinualHead head = new ContinualHead(ContinualConfig.DEFAULTS.withWideBuckets(4096));
        List<String> spam = List.of("cheap casino prize winner tonight");
        float[] undecided = {0f, 0f};
        float before = head.probabilities(spam, undecided, 2)[1];
        assertThat(before).as("P(spam) before any example").isLessThanOrEqualTo(0.5f);
        head.testThenTrain(spam, new int[] {1}, new float[] {1f}, 1, 1, undecided, 2, 2);
        float after = head.probabilities(spam, undecided, 2)[1];
        assertThat(after).as("P(spam) after one spam example").isGreaterThan(0.6f);

        try (Learner learner = Learner.create(small().build())) {
            learner.train(List.of(Example.of("cheap casino prize winner tonight", "spam")));
            Prediction p = learner.predict(spam).get(0);
            assertThat(p.label()).isEqualTo("spam");
        }
    }

    @Test
    void theMixtureStopsTrustingAnExpertThatIsAlwaysWrong() {
        ContinualHead head = new ContinualHead(ContinualConfig.DEFAULTS.withWideBuckets(4096));
        List<Example> data = SyntheticData.keywordTask(200, 11);
        int lateCorrect = 0;
        for (int i = 0; i < data.size(); i += 10) {
            List<String> texts = new ArrayList<>();
            int[] targets = new int[10];
            float[] network = new float[20];
            for (int j = 0; j < 10; j++) {
                Example e = data.get(i + j);
                texts.add(e.text());
                targets[j] = LABELS.indexOf(e.label());
                network[j * 2 + (1 - targets[j])] = 8f; // a confidently wrong network
            }
            int[] predicted = head.testThenTrain(texts, targets, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 10,
                    10, network, 2, 2);
            for (int j = 0; j < 10 && i >= 100; j++) {
                lateCorrect += predicted[j] == targets[j] ? 1 : 0;
            }
        }
        assertThat(head.weights().get("network")).as("weight of the wrong network").isLessThan(0.02);
        assertThat(lateCorrect).as("mixture right on the last 100 examples").isGreaterThanOrEqualTo(90);
        assertThat(head.expertAccuracies().get("network")).isEqualTo(0.0);
    }

    @Test
    void forgettingIsMeasuredPerClassAfterEveryEra() {
        ContinualStream stream = ContinualStream.of("topics", 1, 30, 600);
        ContinualBenchmark.RunResult r = new ContinualBenchmark(32).runNaiveBayes(stream);
        assertThat(r.eras()).hasSize(4);
        assertThat(r.forgetting().keySet()).containsExactlyElementsOf(stream.labels());
        // The last topic arrives in the last era only: nothing of it is known after the first era.
        assertThat(r.eras().get(0).get("topic3")).isEqualTo(0.0);
        for (String label : stream.labels()) {
            double best = r.eras().stream().mapToDouble(e -> e.get(label)).max().orElseThrow();
            assertThat(r.forgetting().get(label)).isEqualTo(best - r.heldOut().get(label));
        }
        assertThat(r.prequential()).isBetween(0.3, 1.0);
        assertThat(r.coldStart()).isBetween(0.0, 1.0);
    }

    @Test
    void snapshotsCarryTheWideSideAndOldSnapshotsLoadWithoutIt() {
        List<Example> data = SyntheticData.keywordTask(64, 7);
        List<String> probes = List.of("casino lottery w5", "meeting lunch w9", "");
        try (Learner learner = Learner.create(small().build())) {
            learner.train(data);
            ModelSnapshot snap = Snapshots.toAvro(learner, "m", 1L, null, List.of(), Map.of());
            assertThat(snap.getTrainingConfig()).containsEntry("continual.wide", "true");
            try (Learner copy = Snapshots.fromAvro(snap, "cpu")) {
                for (int i = 0; i < probes.size(); i++) {
                    assertThat(copy.predict(probes).get(i).probabilities())
                            .containsExactly(learner.predict(probes).get(i).probabilities());
                }
                assertThat(copy.continualHead().get().weights()).isEqualTo(learner.continualHead().get().weights());
            }
        }
        LearnerConfig networkOnly = small().optContinual(ContinualConfig.OFF).build();
        try (Learner old = Learner.create(networkOnly)) {
            old.train(data);
            ModelSnapshot snap = Snapshots.toAvro(old, "m", 1L, null, List.of(), Map.of());
            Map<String, String> training = new LinkedHashMap<>(snap.getTrainingConfig());
            training.keySet().removeIf(k -> k.startsWith(ContinualConfig.PREFIX));
            snap.setTrainingConfig(training);
            try (Learner copy = Snapshots.fromAvro(snap, "cpu")) {
                assertThat(copy.config().continual()).isEqualTo(ContinualConfig.OFF);
                assertThat(copy.continualHead()).isEmpty();
                assertThat(copy.predict(probes).get(0).probabilities())
                        .containsExactly(old.predict(probes).get(0).probabilities());
            }
        }
    }

    @Test
    void configurationRoundTripsAndStoredMapsWithoutTheKeysTurnThePartsOff() {
        LearnerConfig custom = small().optContinual(ContinualConfig.DEFAULTS.withMixtureRate(3.5)
                .withReplayFraction(0.5)).build();
        assertThat(LearnerConfig.fromMap(custom.toMap())).isEqualTo(custom);
        assertThat(LearnerConfig.fromStoredMap(custom.toMap())).isEqualTo(custom);
        Map<String, String> old = new LinkedHashMap<>(custom.toMap());
        old.keySet().removeIf(k -> k.startsWith(ContinualConfig.PREFIX));
        assertThat(LearnerConfig.fromStoredMap(old).continual()).isEqualTo(ContinualConfig.OFF);
        assertThat(LearnerConfig.fromMap(old).continual()).isEqualTo(ContinualConfig.DEFAULTS);
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("continual.replayFraction", "1.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("continual.replayFraction");
    }
}
