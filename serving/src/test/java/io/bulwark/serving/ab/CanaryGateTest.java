package io.bulwark.serving.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The paired canary gate on crafted discordant counts where the answer is known. */
class CanaryGateTest {

    private static final GateConfig CONFIG = new GateConfig(0.05, true, 50, 0.95);

    /** A view whose canary comparison is fixed. */
    private record View(CanaryComparison cmp) implements VersionView {
        @Override
        public NavigableSet<Long> loadedVersions() {
            return new TreeSet<>(java.util.List.of(1L, 2L));
        }

        @Override
        public Optional<ReportPoint> report(long version) {
            return Optional.empty();
        }

        @Override
        public Optional<CanaryComparison> canary(long champion, long candidate) {
            return Optional.ofNullable(cmp);
        }
    }

    private static GateDecision decide(PairedCounts clean, PairedCounts robust) {
        return new RobustnessGate(CONFIG).check(1L, 2, new View(CanaryComparison.of(7, clean, robust)), 0);
    }

    @Test
    void mcNemarExactPValuesMatchTheBinomial() {
        assertThat(PairedTest.test(PairedCounts.of(100, 80, 10, 0), 0.95).pWorse())
                .isCloseTo(Math.pow(0.5, 10), Offset.offset(1e-12));
        // P(X <= 5 | 10, 1/2) = 638 / 1024
        assertThat(PairedTest.test(PairedCounts.of(100, 80, 5, 5), 0.95).pWorse())
                .isCloseTo(638.0 / 1024, Offset.offset(1e-12));
        assertThat(PairedTest.lowerTail(4, 12, 0.5)).isCloseTo(794.0 / 4096, Offset.offset(1e-12));
    }

    @Test
    void boundsAreExactClopperPearsonOnTheDiscordantPairs() {
        // c = 0 of m = 10: upper bound of pi solves 0.5^... (1 - p)^10 = 0.05
        PairedTest.Result r = PairedTest.test(PairedCounts.of(100, 80, 10, 0), 0.95);
        double piHigh = 1 - Math.pow(0.05, 0.1);
        assertThat(r.difference()).isCloseTo(-0.1, Offset.offset(1e-12));
        assertThat(r.lower()).isCloseTo(-0.1, Offset.offset(1e-12));
        assertThat(r.upper()).isCloseTo(0.1 * (2 * piHigh - 1), Offset.offset(1e-9));
    }

    @Test
    void withMarginZeroTheUpperBoundIsBelowZeroExactlyWhenMcNemarRejects() {
        for (int b = 0; b <= 25; b++) {
            for (int c = 0; c <= 25; c++) {
                PairedTest.Result r = PairedTest.test(PairedCounts.of(200, 100, b, c), 0.95);
                assertThat(r.upper() < 0).as("b=%d c=%d p=%f upper=%f", b, c, r.pWorse(), r.upper())
                        .isEqualTo(r.pWorse() < 0.05);
            }
        }
    }

    @Test
    void promotesACandidateThatIsNotWorseByMoreThanTheMargin() {
        PairedCounts same = PairedCounts.of(200, 170, 3, 4);
        GateDecision d = decide(same, same);
        assertThat(d.outcome()).as(d.reason()).isEqualTo(GateDecision.Outcome.PASSED);
        assertThat(d.canary().clean().counts().n()).isEqualTo(200);
        assertThat(d.canary().clean().lower()).isGreaterThanOrEqualTo(-0.05);
        assertThat(d.reason()).contains("b = 3", "c = 4", "n = 200", "canary set v7");
        // identical answers: no discordant pair, a difference of exactly 0
        GateDecision identical = decide(PairedCounts.of(60, 50, 0, 0), PairedCounts.of(60, 30, 0, 0));
        assertThat(identical.outcome()).isEqualTo(GateDecision.Outcome.PASSED);
    }

    @Test
    void blocksACandidateThatIsSignificantlyWorse() {
        GateDecision d = decide(PairedCounts.of(200, 150, 30, 5), PairedCounts.of(200, 150, 3, 4));
        assertThat(d.outcome()).as(d.reason()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(d.reason()).contains("significantly worse clean");
        assertThat(d.canary().clean().pWorse()).isLessThan(1e-4);
        // worse only under attack
        GateDecision robust = decide(PairedCounts.of(200, 150, 3, 4), PairedCounts.of(200, 100, 40, 6));
        assertThat(robust.outcome()).as(robust.reason()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(robust.reason()).contains("significantly worse under attack");
    }

    @Test
    void waitsWhenTheEvidenceDecidesNeitherWay() {
        // d = -0.04: not shown within the 0.05 margin (lower bound -0.09), not significant (p = 0.19)
        PairedCounts unclear = PairedCounts.of(100, 80, 8, 4);
        GateDecision d = decide(unclear, PairedCounts.of(100, 60, 0, 0));
        assertThat(d.outcome()).as(d.reason()).isEqualTo(GateDecision.Outcome.WAITING);
        assertThat(d.canary().clean().lower()).isLessThan(-0.05);
        assertThat(d.canary().clean().pWorse()).isCloseTo(794.0 / 4096, Offset.offset(1e-9));
        // the same difference on ten times the examples is decided
        GateDecision more = decide(PairedCounts.of(1000, 800, 80, 40), PairedCounts.of(1000, 600, 0, 0));
        assertThat(more.outcome()).as(more.reason()).isNotEqualTo(GateDecision.Outcome.WAITING);
    }

    @Test
    void aCanaryBelowTheMinimumSampleNeverBlocksNorPromotes() {
        // 30 of 40 examples flip against the candidate: overwhelming, but on fewer than 50 examples
        GateDecision worse = decide(PairedCounts.of(40, 5, 30, 0), PairedCounts.of(40, 5, 30, 0));
        assertThat(worse.outcome()).as(worse.reason()).isEqualTo(GateDecision.Outcome.WAITING);
        assertThat(worse.reason()).contains("fewer than 50", "cannot block");
        GateDecision same = decide(PairedCounts.of(40, 35, 0, 0), PairedCounts.of(40, 35, 0, 0));
        assertThat(same.outcome()).isEqualTo(GateDecision.Outcome.WAITING);
    }

    @Test
    void waitsWhileAVersionIsNotScoredOnTheSharedCanary() {
        GateDecision d = new RobustnessGate(CONFIG).check(1L, 2,
                new View(CanaryComparison.pending(3, 80, "v2 is not yet scored")), 0);
        assertThat(d.outcome()).isEqualTo(GateDecision.Outcome.WAITING);
        assertThat(d.reason()).contains("v2 is not yet scored");
        assertThat(d.canary().canaryVersion()).isEqualTo(3);
        assertThat(d.canary().clean()).isNull();
    }

    /**
     * Operating characteristics by simulation (2,000 canary sets per row, seed 42): pairs are discordant in favour
     * of the candidate with probability (disc + d) / 2 and of the champion with (disc - d) / 2. Prints the table
     * docs/serving.md shows.
     */
    @Test
    void decidesRightMostOfTheTimeOnSimulatedCanarySets() {
        double[][] cases = {{0.0, 0.10}, {0.02, 0.10}, {-0.03, 0.10}, {-0.10, 0.20}};
        int[] sizes = {100, 300, 1000};
        Map<String, double[]> rates = new java.util.LinkedHashMap<>();
        for (double[] c : cases) {
            for (int n : sizes) {
                double[] r = simulate(c[0], c[1], n, 2000, 42);
                rates.put(c[0] + "/" + n, r);
                System.out.printf(java.util.Locale.ROOT, "true difference %+.2f, discordant %.2f, n = %4d: passed %5.1f%%,"
                        + " blocked %5.1f%%, waiting %5.1f%%%n", c[0], c[1], n, 100 * r[0], 100 * r[1], 100 * r[2]);
            }
        }
        // an equal candidate is rarely blocked (McNemar's exact test holds its level) and passes once n is large
        for (int n : sizes) {
            assertThat(rates.get("0.0/" + n)[1]).as("equal, blocked at n = %d", n).isLessThanOrEqualTo(0.05);
        }
        assertThat(rates.get("0.0/1000")[0]).isGreaterThan(0.95);
        assertThat(rates.get("0.02/300")[0]).isGreaterThan(0.95);
        // a candidate ten points worse is blocked, and almost never passes
        assertThat(rates.get("-0.1/300")[1]).isGreaterThan(0.95);
        for (int n : sizes) {
            assertThat(rates.get("-0.1/" + n)[0]).as("10 points worse, passed at n = %d", n).isLessThan(0.01);
        }
    }

    private static double[] simulate(double difference, double discordant, int n, int trials, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        double pChampion = (discordant - difference) / 2;
        double pCandidate = (discordant + difference) / 2;
        double[] out = new double[3];
        for (int t = 0; t < trials; t++) {
            int b = 0;
            int c = 0;
            for (int i = 0; i < n; i++) {
                double u = rnd.nextDouble();
                if (u < pChampion) {
                    b++;
                } else if (u < pChampion + pCandidate) {
                    c++;
                }
            }
            PairedCounts counts = PairedCounts.of(n, n / 2, b, c);
            out[decide(counts, counts).outcome().ordinal()] += 1.0 / trials;
        }
        return out;
    }

    @Test
    void refusesInconsistentCounts() {
        assertThatThrownBy(() -> new PairedCounts(10, 5, 5, 8, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inconsistent");
        assertThatThrownBy(() -> new GateConfig(0.05, true, 50, 0.4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("confidence");
    }
}
