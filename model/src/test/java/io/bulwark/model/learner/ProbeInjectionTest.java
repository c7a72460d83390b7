package io.bulwark.model.learner;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.snapshot.TensorData;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Attacked copies of probe texts: another class's most typical words injected, the label kept. */
class ProbeInjectionTest {
    private static final List<String> LABELS = List.of("ham", "spam");
    private static final Set<String> HAM_WORDS = Set.of("meeting", "report", "lunch", "schedule", "project", "invoice");
    private static final Set<String> SPAM_WORDS = Set.of("viagra", "lottery", "winner", "casino", "bitcoin", "prize");

    private static LearnerConfig config(int injected) {
        return SyntheticData.small().optLabels(LABELS).optContinual(ContinualConfig.DEFAULTS.withWideBuckets(4096)
                .withReplayPerClass(100).withProbePerClass(8).withProbeInjectedWords(injected)).build();
    }

    private static Learner trained(LearnerConfig config, List<Example> data) {
        Learner learner = Learner.create(config);
        for (int i = 0; i < data.size(); i += 16) {
            learner.train(data.subList(i, i + 16));
        }
        return learner;
    }

    @Test
    void aCopyKeepsItsTextAndLabelAndCarriesTheOtherClassesTypicalWords() {
        try (Learner learner = trained(config(2), SyntheticData.keywordTask(320, 11))) {
            List<Example> probed = List.of(Example.of("w1 casino w2 prize w3", "spam"),
                    Example.of("w4 meeting w5 w6", "ham"));
            List<Example> out = ProbeInjection.withInjectedCopies(learner, probed, 2);
            assertThat(out.subList(0, 2)).isEqualTo(probed);
            assertThat(out).hasSize(4);
            for (int i = 0; i < 2; i++) {
                Example original = probed.get(i);
                Example copy = out.get(2 + i);
                assertThat(copy.label()).isEqualTo(original.label());
                assertThat(copy.text()).contains(original.text());
                Set<String> added = new HashSet<>(Arrays.asList(copy.text().split(" ")));
                Arrays.asList(original.text().split(" ")).forEach(added::remove);
                assertThat(added).as("words injected into %s", copy.text()).hasSizeBetween(1, 2);
                assertThat(copy.text().split(" ")[0]).as("the most typical word, first, of %s", copy.text())
                        .isIn(original.label().equals("spam") ? HAM_WORDS : SPAM_WORDS);
            }
            assertThat(ProbeInjection.withInjectedCopies(learner, probed, 2)).as("the same step, the same copies")
                    .isEqualTo(out);
        }
    }

    @Test
    void theMixtureIsWeighedOnTheCopiesAndTheLearnerRestoresBitwise() {
        List<Example> data = SyntheticData.keywordTask(320, 12);
        try (Learner with = trained(config(ContinualConfig.DEFAULTS.probeInjectedWords()), data.subList(0, 160));
             Learner without = trained(config(0), data.subList(0, 160))) {
            assertThat(with.continualHead().orElseThrow().weights())
                    .isNotEqualTo(without.continualHead().orElseThrow().weights());
            // The copies train nothing: the network and the wide model are those of a learner without them.
            with.parameterValues().forEach((name, values) ->
                    assertThat(values).as(name).containsExactly(without.parameterValues().get(name)));
            Map<String, TensorData> a = new TreeMap<>();
            Map<String, TensorData> b = new TreeMap<>();
            with.continualHead().orElseThrow().export(a);
            without.continualHead().orElseThrow().export(b);
            assertThat(a.keySet()).isEqualTo(b.keySet());
            a.forEach((name, t) -> {
                if (!name.contains("mixture")) {
                    assertThat(t.data()).as(name).containsExactly(b.get(name).data());
                }
            });
            byte[] checkpoint = with.checkpoint();
            try (Learner restored = Learner.restore(checkpoint, "cpu")) {
                for (int i = 160; i < 320; i += 16) {
                    assertThat(restored.train(data.subList(i, i + 16))).isEqualTo(with.train(data.subList(i, i + 16)));
                }
                assertThat(restored.checkpoint()).isEqualTo(with.checkpoint());
            }
        }
    }
}
