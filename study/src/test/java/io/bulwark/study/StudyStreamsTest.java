package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import io.bulwark.model.data.DataRecord;
import io.bulwark.model.data.StreamOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StudyStreamsTest {

    private static List<DataRecord> corpus() {
        List<DataRecord> out = new ArrayList<>();
        String[] groups = {"easy_ham", "easy_ham_2", "hard_ham", "spam", "spam_2"};
        int line = 0;
        for (String g : groups) {
            for (int i = 0; i < 40; i++) {
                String label = g.startsWith("spam") ? "spam" : "ham";
                out.add(new DataRecord(Example.of(g + " " + i, label), line++, Map.of("group", g)));
            }
        }
        return out;
    }

    @Test
    void heldOutTailIsNeverTrainedOnAndBothOrdersShareIt() {
        List<DataRecord> c = corpus();
        StudyStreams.Split s = StudyStreams.split(c, StreamOrder.SHUFFLED, 7, 30, 100);
        StudyStreams.Split o = StudyStreams.split(c, StreamOrder.ORIGINAL, 7, 30, 100);
        assertThat(s.train()).hasSize(100);
        assertThat(s.heldOut()).hasSize(30).isEqualTo(o.heldOut());
        Set<String> train = new HashSet<>();
        s.train().forEach(e -> train.add(e.text()));
        assertThat(s.heldOut()).noneMatch(e -> train.contains(e.text()));
        assertThat(new HashSet<>(o.train())).isEqualTo(new HashSet<>(s.train()));
        // The original order keeps the corpus order (groups in sequence).
        List<String> texts = o.train().stream().map(Example::text).toList();
        List<Integer> lines = new ArrayList<>();
        for (String t : texts) {
            for (int i = 0; i < c.size(); i++) {
                if (c.get(i).example().text().equals(t)) {
                    lines.add(i);
                }
            }
        }
        assertThat(lines).isSorted();
        assertThat(s.discreteSet(5)).hasSizeLessThanOrEqualTo(10)
                .allMatch(e -> s.heldOut().contains(e));
    }

    @Test
    void driftPhasesComeFromTheirGroups() {
        StudyStreams.DriftSplit d = StudyStreams.drift(corpus(), 3, 50, 10);
        assertThat(d.phaseA()).hasSize(50).allMatch(e -> e.text().startsWith("easy_ham ") || e.text().startsWith("spam "));
        assertThat(d.phaseB()).hasSize(50).allMatch(e -> e.text().startsWith("easy_ham_2") || e.text().startsWith("hard_ham")
                || e.text().startsWith("spam_2"));
        assertThat(d.heldOutA()).hasSize(10).noneMatch(d.phaseA()::contains);
        assertThat(d.heldOutB()).hasSize(10).noneMatch(d.phaseB()::contains);
        assertThat(d.stream()).hasSize(100);
    }
}
