package io.bulwark.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.model.Example;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BundledCorpusTest {

    @Test
    void sampleIsFoundFromTheModuleDirectoryAndHasBothLabelsInCorpusOrder() {
        List<DataRecord> records = BundledCorpus.records(BundledCorpus.SAMPLE_FILE_NAME, StreamOrder.ORIGINAL, 0);

        assertThat(records).hasSize(303);
        assertThat(records.get(0).field("id")).isEqualTo("easy_ham/00001.7c53336b37003a9286aba55d2945844c");
        assertThat(records.get(0).example().label()).isEqualTo("ham");
        Set<String> labels = records.stream().map(r -> r.example().label()).collect(Collectors.toSet());
        assertThat(labels).containsExactlyInAnyOrder("ham", "spam");
        // Corpus order: every ham group comes before every spam group.
        int firstSpam = 0;
        while (!records.get(firstSpam).example().label().equals("spam")) {
            firstSpam++;
        }
        assertThat(records.subList(firstSpam, records.size()))
                .allSatisfy(r -> assertThat(r.example().label()).isEqualTo("spam"));
        assertThat(records).extracting(r -> r.field("group")).containsSubsequence(
                "easy_ham", "easy_ham_2", "hard_ham", "spam", "spam_2");
    }

    @Test
    void shuffledOrderIsSeededAndTimeOrderIsSorted() {
        List<Example> a = BundledCorpus.loadSample(StreamOrder.SHUFFLED, 7);
        List<Example> b = BundledCorpus.loadSample(StreamOrder.SHUFFLED, 7);
        List<Example> c = BundledCorpus.loadSample(StreamOrder.SHUFFLED, 8);
        List<Example> original = BundledCorpus.loadSample(StreamOrder.ORIGINAL, 0);
        assertThat(a).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(original).containsExactlyInAnyOrderElementsOf(original);

        List<String> times = BundledCorpus.records(BundledCorpus.SAMPLE_FILE_NAME, StreamOrder.TIME, 0).stream()
                .map(r -> r.field("time")).filter(t -> t != null).collect(Collectors.toList());
        assertThat(times).hasSizeGreaterThan(290).isSorted();
    }

    @Test
    void fullCorpusLoads() {
        List<Example> all = BundledCorpus.load();
        assertThat(all).hasSize(6046);
        assertThat(all.stream().filter(e -> e.label().equals("spam")).count()).isEqualTo(1896);
        assertThat(all).allSatisfy(e -> assertThat(e.text().length()).isBetween(1, 4000));
    }
}
