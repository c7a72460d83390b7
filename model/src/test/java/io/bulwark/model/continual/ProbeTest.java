package io.bulwark.model.continual;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.learner.Learner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The probe: examples withheld from training on which the mixture weighs its experts, every class alike. */
class ProbeTest {
    private static final List<String> LABELS = List.of("ham", "spam");

    @Test
    void probeWithholdsAClassBalancedSampleAndReleasesEachEvictedExampleOnce() {
        Replay replay = new Replay(0, 0.25, 30, 7L);
        List<Example> stream = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            stream.add(Example.of("a" + i, "a"));
        }
        for (int i = 0; i < 400; i++) {
            stream.add(Example.of("b" + i, "b"));
        }
        Set<String> withheld = new HashSet<>();
        Set<String> released = new HashSet<>();
        for (int from = 0; from < stream.size(); from += 32) {
            List<Example> batch = stream.subList(from, Math.min(stream.size(), from + 32));
            Replay.Admission a = replay.admit(batch);
            for (int i = 0; i < batch.size(); i++) {
                if (a.withheld()[i]) {
                    withheld.add(batch.get(i).text());
                }
            }
            for (Example e : a.released()) {
                assertThat(withheld).as("released examples were withheld before").contains(e.text());
                assertThat(released.add(e.text())).as("released once: %s", e.text()).isTrue();
            }
        }
        Map<String, List<Example>> probe = replay.probeContents();
        assertThat(probe.get("a")).hasSize(30);
        assertThat(probe.get("b")).hasSize(30);
        // Every withheld example is either still in the probe or was released: nothing is lost.
        Set<String> accounted = new HashSet<>(released);
        probe.values().forEach(l -> l.forEach(e -> accounted.add(e.text())));
        assertThat(accounted).isEqualTo(withheld);
        // At most a tenth of a class is withheld; over a long run the probe samples the whole history.
        assertThat(withheld.stream().filter(t -> t.startsWith("b")).count()).isLessThanOrEqualTo(40 + 30);
        long late = probe.get("a").stream().filter(e -> Integer.parseInt(e.text().substring(1)) >= 1500).count();
        assertThat(late).as("probe members from the second half of a's run").isBetween(5L, 25L);
        assertThat(replay.drawProbe(400).stream().filter(e -> e.label().equals("b")).count()).isBetween(160L, 240L);

        Replay copy = new Replay(0, 0.25, 30, 99L);
        copy.decode(replay.encode());
        assertThat(copy.encode()).isEqualTo(replay.encode());
        assertThat(copy.probeContents()).isEqualTo(probe);
    }

    @Test
    void withoutAProbeNothingIsWithheldAndTheGeneratorIsUntouched() {
        Replay a = new Replay(10, 0.25, 3L);
        Replay b = new Replay(10, 0.25, 3L);
        List<Example> batch = SyntheticData.keywordTask(40, 2);
        Replay.Admission adm = a.admit(batch);
        assertThat(adm.released()).isEmpty();
        for (boolean w : adm.withheld()) {
            assertThat(w).isFalse();
        }
        assertThat(a.drawProbe(5)).isEmpty();
        a.offer(batch);
        b.offer(batch);
        assertThat(a.encode()).isEqualTo(b.encode());
    }

    @Test
    void theMixtureWeighsEveryClassAlikeOnTheProbe() {
        // The "network" expert is right during a balanced era, then predicts spam for everything during a spam-only era:
        // right on that era's whole stream, wrong on every ham probe text.
        Map<String, Double> with = runEras(ContinualConfig.DEFAULTS.withWideBuckets(4096).withProbePerClass(50), true);
        Map<String, Double> without = runEras(ContinualConfig.DEFAULTS.withWideBuckets(4096).withProbePerClass(0), false);
        assertThat(with.get("network")).as("always-spam expert, classes weighed alike").isLessThan(0.05);
        assertThat(without.get("network")).as("always-spam expert, stream only").isGreaterThan(0.2);
    }

    @Test
    void attackedCopiesWeighAsACleanProbeTextOfTheirClassWithoutDilutingTheCleanRows() {
        ContinualHead head = new ContinualHead(ContinualConfig.DEFAULTS.withWideBuckets(4096).withProbePerClass(50));
        // Four spam stream rows, two ham probe texts, then two attacked copies of them.
        int[] targets = {1, 1, 1, 1, 0, 0, 0, 0};
        double[] clean = head.weightScales(java.util.Arrays.copyOf(targets, 6), 4, 4, 6, 2);
        double[] withCopies = head.weightScales(targets, 4, 4, 6, 2);
        assertThat(clean).containsExactly(0.75, 0.75, 0.75, 0.75, 1.5, 1.5);
        assertThat(java.util.Arrays.copyOf(withCopies, 6)).as("the clean rows").containsExactly(clean);
        assertThat(withCopies[6]).isEqualTo(1.5);
        assertThat(withCopies[7]).isEqualTo(1.5);
        int[] copyOfAbsentClass = {1, 1, 1, 1, 0};
        assertThat(head.weightScales(copyOfAbsentClass, 4, 4, 4, 2)[4]).as("a copy of a class without clean rows")
                .isZero();
    }

    private static Map<String, Double> runEras(ContinualConfig config, boolean probeRows) {
        ContinualHead head = new ContinualHead(config);
        List<Example> data = SyntheticData.keywordTask(400, 5);
        List<Example> hams = data.stream().filter(e -> e.label().equals("ham")).toList();
        List<Example> spams = data.stream().filter(e -> e.label().equals("spam")).toList();
        for (int i = 0; i < 100; i += 10) {
            step(head, data.subList(i, i + 10), List.of(), true);
        }
        for (int i = 0; i + 10 <= spams.size(); i += 10) {
            step(head, spams.subList(i, i + 10), probeRows ? hams.subList(i % 40, i % 40 + 4) : List.of(), false);
        }
        return head.weights();
    }

    private static void step(ContinualHead head, List<Example> stream, List<Example> probe, boolean rightNetwork) {
        List<String> texts = new ArrayList<>();
        List<Example> rows = new ArrayList<>(stream);
        rows.addAll(probe);
        int[] targets = new int[rows.size()];
        float[] weights = new float[rows.size()];
        float[] network = new float[rows.size() * 2];
        for (int j = 0; j < rows.size(); j++) {
            texts.add(rows.get(j).text());
            targets[j] = LABELS.indexOf(rows.get(j).label());
            weights[j] = j < stream.size() ? 1f : 0f;
            network[j * 2 + (rightNetwork ? targets[j] : 1)] = 8f;
        }
        head.testThenTrain(texts, targets, weights, stream.size(), stream.size(), network, 2, 2);
    }

    @Test
    void aLearnerWithAProbeNeverReplaysAWithheldExampleAndRestoresBitwise() {
        LearnerConfig config = SyntheticData.small().optLabels(LABELS).optContinual(ContinualConfig.DEFAULTS
                .withReplayPerClass(400).withWideBuckets(4096).withProbePerClass(8)).build();
        List<Example> data = SyntheticData.keywordTask(320, 9);
        try (Learner a = Learner.create(config)) {
            for (int i = 0; i < 160; i += 16) {
                a.train(data.subList(i, i + 16));
            }
            Replay r = a.replay().orElseThrow();
            Set<String> probed = new HashSet<>();
            r.probeContents().values().forEach(l -> l.forEach(e -> probed.add(e.text())));
            assertThat(probed).isNotEmpty();
            r.contents().values().forEach(l -> l.forEach(e ->
                    assertThat(probed).as("a probe member in the replay reservoir").doesNotContain(e.text())));
            byte[] checkpoint = a.checkpoint();
            try (Learner b = Learner.restore(checkpoint, "cpu")) {
                assertThat(b.checkpoint()).isEqualTo(checkpoint);
                for (int i = 160; i < 320; i += 16) {
                    a.train(data.subList(i, i + 16));
                    b.train(data.subList(i, i + 16));
                }
                assertThat(b.checkpoint()).as("state after further training").isEqualTo(a.checkpoint());
            }
        }
    }
}
