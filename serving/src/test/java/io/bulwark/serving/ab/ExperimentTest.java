package io.bulwark.serving.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.serving.error.ServingException;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ExperimentTest {

    /** Versions and reports under the test's control. */
    static final class View implements VersionView {
        final TreeSet<Long> loaded = new TreeSet<>();
        final Map<Long, ReportPoint> reports = new HashMap<>();

        View load(long... versions) {
            for (long v : versions) {
                loaded.add(v);
            }
            return this;
        }

        View report(long version, double robust) {
            return report(version, robust, 100);
        }

        View report(long version, double robust, int windowSize) {
            reports.put(version, new ReportPoint("m", version, 0, windowSize, 0.9, robust, "pgd", 0.1, 0.05, 0.01,
                    null, 0.85, 0, 100, Map.of(), Map.of(), null, null));
            return this;
        }

        @Override
        public NavigableSet<Long> loadedVersions() {
            return new TreeSet<>(loaded);
        }

        @Override
        public Optional<ReportPoint> report(long version) {
            return Optional.ofNullable(reports.get(version));
        }
    }

    private static Experiment experiment(ArmSpec a, ArmSpec b, double wa, double wb, boolean shadow, double margin,
                                         boolean requireReport) {
        return new Experiment("m", a, b, wa, wb, shadow, new RobustnessGate(new GateConfig(margin, requireReport)));
    }

    @Test
    void splitStaysWithinBinomialBoundAndKeysAreSticky() {
        View view = new View().load(1, 2);
        Experiment e = experiment(ArmSpec.pinned(1), ArmSpec.pinned(2), 70, 30, false, 0.05, true);
        e.refresh(view, 0);
        int n = 20_000;
        int toB = 0;
        for (int i = 0; i < n; i++) {
            Routing r = e.route("user-" + i);
            if (r.arm() == Arm.B) {
                toB++;
                assertThat(r.version()).isEqualTo(2);
            } else {
                assertThat(r.version()).isEqualTo(1);
            }
            // the same key always lands on the same arm
            assertThat(e.route("user-" + i).arm()).isEqualTo(r.arm());
        }
        double p = 0.3;
        double sd = Math.sqrt(n * p * (1 - p));
        assertThat((double) toB).as("requests to B out of %d (expected %.0f +- 5 sd = %.0f)", n, n * p, 5 * sd)
                .isBetween(n * p - 5 * sd, n * p + 5 * sd);
    }

    @Test
    void raisingBsWeightOnlyMovesKeysFromAToB() {
        View view = new View().load(1, 2);
        Experiment e = experiment(ArmSpec.pinned(1), ArmSpec.pinned(2), 90, 10, false, 0.05, true);
        e.refresh(view, 0);
        Map<String, Arm> before = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            before.put("k" + i, e.route("k" + i).arm());
        }
        e.setWeights(50, 50, 1);
        int moved = 0;
        for (Map.Entry<String, Arm> b : before.entrySet()) {
            Arm now = e.route(b.getKey()).arm();
            if (b.getValue() == Arm.B) {
                assertThat(now).as("key %s was on B", b.getKey()).isEqualTo(Arm.B);
            } else if (now == Arm.B) {
                moved++;
            }
        }
        assertThat(moved).isGreaterThan(1000);
    }

    @Test
    void zeroWeightSendsEverythingToAAndMissingBFallsBackToA() {
        View view = new View().load(1);
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.none(), 50, 50, false, 0.05, true);
        e.refresh(view, 0);
        for (int i = 0; i < 200; i++) {
            assertThat(e.route("k" + i).arm()).isEqualTo(Arm.A);
        }
    }

    @Test
    void shadowModeLetsAAnswerAndBScoreEveryRequest() {
        View view = new View().load(1, 2);
        Experiment e = experiment(ArmSpec.pinned(1), ArmSpec.pinned(2), 50, 50, true, 0.05, true);
        e.refresh(view, 0);
        for (int i = 0; i < 500; i++) {
            Routing r = e.route("k" + i);
            assertThat(r.arm()).isEqualTo(Arm.A);
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.shadowVersion()).isEqualTo(2L);
        }
    }

    @Test
    void noVersionAnswers503() {
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        e.refresh(new View(), 0);
        assertThatThrownBy(() -> e.route("k")).isInstanceOf(ServingException.class)
                .hasMessageContaining("no version loaded yet")
                .satisfies(t -> assertThat(((ServingException) t).reason()).isEqualTo(ServingException.Reason.UNAVAILABLE));
    }

    @Test
    void latestAutoPromotesThroughTheGateAndRecordsHistory() {
        View view = new View().load(1).report(1, 0.60);
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        e.refresh(view, 0);
        assertThat(e.version(Arm.A)).isEqualTo(1L);

        view.load(2).report(2, 0.58); // 0.02 below: within the margin
        e.refresh(view, 1);
        assertThat(e.version(Arm.A)).isEqualTo(2L);
        assertThat(e.history()).containsExactly(1L);
        assertThat(e.lastGate().outcome()).isEqualTo(GateDecision.Outcome.PASSED);
    }

    @Test
    void gateBlocksARobustnessDropBeyondTheMarginAndSaysWhy() {
        View view = new View().load(1).report(1, 0.60);
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        e.refresh(view, 0);
        view.load(2).report(2, 0.40);
        e.refresh(view, 1);
        assertThat(e.version(Arm.A)).isEqualTo(1L);
        assertThat(e.version(Arm.B)).as("B follows the newest version without a gate").isEqualTo(2L);
        GateDecision d = e.lastGate();
        assertThat(d.outcome()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(d.reason()).contains("v2 robust accuracy 0.400", "0.200 below A's v1 (0.600)", "margin 0.050");
        assertThat(e.toView().get("gate").toString()).contains("blocked");
        // a later version that recovers passes
        view.load(3).report(3, 0.62);
        e.refresh(view, 2);
        assertThat(e.version(Arm.A)).isEqualTo(3L);
    }

    @Test
    void gateWeighsTheEvidenceBehindEachFigure() {
        RobustnessGate gate = new RobustnessGate(new GateConfig(0.05, true, 50));
        // A champion measured on 10 examples cannot block, however high its figure.
        View thin = new View().load(1, 2).report(1, 1.0, 10).report(2, 0.74, 200);
        GateDecision d = gate.check(1L, 2, thin, 0);
        assertThat(d.outcome()).isEqualTo(GateDecision.Outcome.PASSED);
        assertThat(d.reason()).contains("rests on 10 held-out examples, fewer than 50");
        // A candidate measured on too few examples waits for a report on more.
        View fewCand = new View().load(1, 2).report(1, 0.9, 200).report(2, 0.5, 20);
        assertThat(gate.check(1L, 2, fewCand, 0).outcome()).isEqualTo(GateDecision.Outcome.WAITING);
        // A drop beyond the margin that sampling noise explains passes: 0.90 vs 0.82 on 60 examples each.
        View noisy = new View().load(1, 2).report(1, 0.90, 60).report(2, 0.82, 60);
        GateDecision n = gate.check(1L, 2, noisy, 0);
        assertThat(n.outcome()).isEqualTo(GateDecision.Outcome.PASSED);
        assertThat(n.reason()).contains("95% lower bound of the drop", "within margin 0.050");
        // The same drop on 2,000 examples each is evidence: blocked, with the statistics behind it.
        View solid = new View().load(1, 2).report(1, 0.90, 2000).report(2, 0.82, 2000);
        GateDecision b = gate.check(1L, 2, solid, 0);
        assertThat(b.outcome()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(b.reason()).contains("0.080 below A's v1", "95% lower bound of the drop", "n = 2000 and 2000");
    }

    @Test
    void gateWaitsForTheReportUnlessConfiguredNotTo() {
        View view = new View().load(1).report(1, 0.6);
        Experiment waiting = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        waiting.refresh(view, 0);
        view.load(2);
        waiting.refresh(view, 1);
        assertThat(waiting.version(Arm.A)).isEqualTo(1L);
        assertThat(waiting.lastGate().outcome()).isEqualTo(GateDecision.Outcome.WAITING);
        view.report(2, 0.59);
        waiting.refresh(view, 2);
        assertThat(waiting.version(Arm.A)).isEqualTo(2L);

        View view2 = new View().load(1).report(1, 0.6);
        Experiment lenient = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, false);
        lenient.refresh(view2, 0);
        view2.load(2);
        lenient.refresh(view2, 1);
        assertThat(lenient.version(Arm.A)).isEqualTo(2L);
    }

    @Test
    void promoteAndRollback() {
        View view = new View().load(1, 2).report(1, 0.5).report(2, 0.55);
        Experiment e = experiment(ArmSpec.pinned(1), ArmSpec.pinned(2), 80, 20, false, 0.05, true);
        e.refresh(view, 0);
        e.promote(false, view, 1);
        assertThat(e.version(Arm.A)).isEqualTo(2L);
        assertThat(e.spec(Arm.A)).isEqualTo(ArmSpec.pinned(2));
        assertThat(e.history()).containsExactly(1L);
        assertThat(e.pinnedVersions()).contains(1L, 2L);

        assertThat(e.rollback(view, 2)).isEqualTo(1L);
        assertThat(e.version(Arm.A)).isEqualTo(1L);
        assertThatThrownBy(() -> e.rollback(view, 3)).isInstanceOf(ServingException.class)
                .hasMessageContaining("no previous A version");
    }

    @Test
    void manualPromotionIsRefusedByTheGateUnlessForced() {
        View view = new View().load(1, 2).report(1, 0.7).report(2, 0.3);
        Experiment e = experiment(ArmSpec.pinned(1), ArmSpec.pinned(2), 80, 20, false, 0.05, true);
        e.refresh(view, 0);
        assertThatThrownBy(() -> e.promote(false, view, 1)).isInstanceOf(ServingException.class)
                .hasMessageContaining("robustness gate refuses to promote v2")
                .satisfies(t -> assertThat(((ServingException) t).reason()).isEqualTo(ServingException.Reason.CONFLICT));
        assertThat(e.version(Arm.A)).isEqualTo(1L);
        e.promote(true, view, 2);
        assertThat(e.version(Arm.A)).isEqualTo(2L);
        assertThat(e.events().get(0).message()).contains("by force over the gate");
    }

    @Test
    void settingAnUnloadedVersionIs404() {
        View view = new View().load(1);
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        e.refresh(view, 0);
        assertThatThrownBy(() -> e.setArm(Arm.B, ArmSpec.pinned(9), view, 1)).isInstanceOf(ServingException.class)
                .hasMessageContaining("no loaded version 9")
                .satisfies(t -> assertThat(((ServingException) t).reason()).isEqualTo(ServingException.Reason.NOT_FOUND));
    }

    @Test
    void badWeightsAreRefused() {
        Experiment e = experiment(ArmSpec.latest(), ArmSpec.latest(), 100, 0, false, 0.05, true);
        assertThatThrownBy(() -> e.setWeights(0, 0, 0)).hasMessageContaining("not both zero");
        assertThatThrownBy(() -> e.setWeights(-1, 3, 0)).hasMessageContaining("non-negative");
    }
}
