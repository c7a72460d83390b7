package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the tiny study end to end (the command's --quick mode) so the study command never rots. */
class StudySmokeTest {

    @Test
    void quickStudyWritesItsTablesPlotsAndRawNumbers() throws Exception {
        Path dir = Path.of("target", "study-smoke");
        Path md = dir.resolve("results.md");
        Files.deleteIfExists(md);
        Files.deleteIfExists(dir.resolve(Study.RESULTS_JSON));

        int code = StudyCli.run("--quick", "--json-dir", dir.toString(), "--out", md.toString());

        assertThat(code).as("exit status").isZero();
        String text = Files.readString(md);
        assertThat(text).contains("## Short answer", "## Equal data", "## Equal passes", "## Bregman/EMA on and off",
                "## Discrete attacks", "## Drift", "## Catastrophic overfitting", "## Recommended defaults",
                "## What held and what did not", "| Natural |", "| Free-2 |", "| Free-2 +EMA |",
                "Naive Bayes (whole mail)", "bulwark study --quick", "| pytorch |");

        Study.Results r = Study.read(dir.resolve(Study.RESULTS_JSON));
        assertThat(r.complete()).isTrue();
        List<RunResult> learner = r.runs().stream().filter(x -> !x.naiveBayes()).toList();
        // 2 variants x 2 EMA modes x 2 orders, 1 seed.
        assertThat(learner).hasSize(8);
        for (RunResult x : learner) {
            assertThat(x.events()).isEqualTo(200);
            assertThat(x.prequentialAccuracy()).isBetween(0.0, 1.0);
            assertThat(x.cleanAccuracy()).isBetween(0.0, 1.0);
            assertThat(x.pgd10()).isBetween(0.0, x.cleanAccuracy());
            assertThat(x.pgd20()).isBetween(0.0, x.cleanAccuracy());
            assertThat(x.passesPerExample()).as(x.variant() + " passes per event")
                    .isEqualTo(x.strategy().equals("FREEAT") ? 2.0 : 1.0);
            assertThat(x.trainSeconds()).isPositive();
            assertThat(x.discrete()).extracting(DiscreteAttack.Summary::attack).containsExactly("char", "word");
            for (DiscreteAttack.Summary s : x.discrete()) {
                assertThat(s.robustSpam()).isBetween(0.0, s.cleanSpam());
            }
            assertThat(x.probes()).isNotEmpty();
            assertThat(x.teacherKl()).allSatisfy(kl -> {
                if (x.ema()) {
                    assertThat(kl).isGreaterThanOrEqualTo(0.0);
                } else {
                    assertThat(kl).isZero();
                }
            });
        }
        assertThat(r.runs()).filteredOn(RunResult::naiveBayes).isNotEmpty()
                .allSatisfy(x -> assertThat(x.cleanAccuracy()).isBetween(0.5, 1.0));
        assertThat(r.drift()).hasSize(2);
        for (DriftExperiment.Result d : r.drift()) {
            assertThat(d.accAAtShift()).isBetween(0.0, 1.0);
            assertThat(d.forgetting()).isEqualTo(d.accAAtShift() - d.accAAtEnd());
            assertThat(d.shiftKl()).isNotEmpty();
        }
        assertThat(dir.resolve("img").resolve("cost_vs_pgd20_shuffled_pooled.png")).isRegularFile();
        assertThat(dir.resolve("img").resolve("drift_accuracy.png")).isRegularFile();
        assertThat(text).contains("![");
    }
}
