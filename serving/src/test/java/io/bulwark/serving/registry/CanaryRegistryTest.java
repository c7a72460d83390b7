package io.bulwark.serving.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ab.CanaryComparison;
import io.bulwark.serving.ab.GateConfig;
import io.bulwark.serving.ab.GateDecision;
import io.bulwark.serving.ab.RobustnessGate;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every loaded version is scored on the model's canary set in the background, the gate compares versions on the
 * same examples, and the champion is rolled back when its canary accuracy stays below the threshold.
 */
class CanaryRegistryTest {

    private final FakeModels.Loader loader = new FakeModels.Loader();
    private ModelRegistry registry;
    private final List<String> rolledBack = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ModelRegistry registry(double rollbackThreshold, int rollbackChecks) {
        registry = new ModelRegistry(loader, new ModelRegistry.Settings(8, 100, 1, ArmSpec.latest(), ArmSpec.latest(),
                100, 0, false, new RobustnessGate(new GateConfig(0.05, true, 50)),
                new ModelRegistry.CanarySettings(200, 1, 5, 10, rollbackThreshold, rollbackChecks)),
                new RegistryListener() {
                    @Override
                    public void autoRolledBack(String modelId, io.bulwark.serving.ab.Experiment.Event rollback) {
                        rolledBack.add(modelId + ": " + rollback.message());
                    }
                });
        return registry;
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    /** Held-out events the keyword model gets right: texts with "spam" are spam. */
    private void heldOut(int from, int to) throws InterruptedException {
        for (int i = from; i < to; i++) {
            boolean spam = i % 2 == 0;
            registry.offerHeldOut("m", "e" + i, spam ? "cheap spam offer number " + i : "lunch with the team " + i,
                    spam ? "spam" : "ham");
        }
        assertThat(registry.awaitCanaryIdle(10_000)).isTrue();
    }

    private void load(long version, String payload) throws InterruptedException {
        registry.offer(FakeModels.snapshot("m", version, payload));
        Await.until(Duration.ofSeconds(10), "v" + version + " loaded",
                () -> registry.find("m").flatMap(s -> s.version(version)).isPresent());
        Await.until(Duration.ofSeconds(10), "v" + version + " scored on the canary set",
                () -> registry.require("m").canary().scores().scoredOn(version).isPresent());
        assertThat(registry.awaitCanaryIdle(10_000)).isTrue();
    }

    private Long champion() {
        return registry.require("m").readExperiment(e -> e.version(Arm.A));
    }

    private GateDecision lastGate() {
        return registry.require("m").readExperiment(e -> e.lastGate());
    }

    @Test
    void scoresEveryVersionOnTheSameExamplesAndGatesOnThePairedComparison() throws Exception {
        registry(0, 3);
        heldOut(0, 60);
        load(1, "normal");
        load(2, "normal");
        ServedModel slot = registry.require("m");
        assertThat(slot.canary().scores().scoredOn(1)).isEqualTo(slot.canary().scores().scoredOn(2))
                .contains(slot.canary().set().version());
        assertThat(champion()).as(lastGate().reason()).isEqualTo(2L);
        assertThat(lastGate().canary().clean().counts().n()).isEqualTo(60);

        load(3, "inverted");
        GateDecision d = lastGate();
        assertThat(d.candidateVersion()).isEqualTo(3);
        assertThat(d.outcome()).as(d.reason()).isEqualTo(GateDecision.Outcome.BLOCKED);
        assertThat(d.canary().clean().counts().championOnly()).isEqualTo(60);
        assertThat(d.canary().clean().counts().candidateOnly()).isZero();
        assertThat(champion()).isEqualTo(2L);
        CanaryComparison cmp = slot.canary(2, 3).orElseThrow();
        assertThat(cmp.ready()).isTrue();
        assertThat(cmp.canaryVersion()).isEqualTo(60);
        assertThat(slot.canary().scores().accuracy(2).orElseThrow().cleanAccuracy()).isEqualTo(1.0);
        assertThat(slot.canary().scores().accuracy(3).orElseThrow().cleanAccuracy()).isEqualTo(0.0);
    }

    @Test
    void waitsOnASmallCanarySetAndDecidesOnceItGrows() throws Exception {
        registry(0, 3);
        heldOut(0, 20);
        load(1, "normal");
        load(2, "inverted");
        assertThat(lastGate().outcome()).as(lastGate().reason()).isEqualTo(GateDecision.Outcome.WAITING);
        assertThat(lastGate().reason()).contains("20 examples, fewer than 50");
        assertThat(champion()).isEqualTo(1L);
        heldOut(20, 60);
        Await.until(Duration.ofSeconds(10), "the gate re-evaluated on the grown canary set",
                () -> lastGate().outcome() == GateDecision.Outcome.BLOCKED, () -> lastGate().reason());
        assertThat(lastGate().canary().canaryVersion()).isEqualTo(60);
        assertThat(champion()).isEqualTo(1L);
    }

    @Test
    void retriesAVersionWhoseScoringFailed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        registry = new ModelRegistry(snapshot -> new io.bulwark.serving.model.ScoringModel() {
            @Override
            public List<String> labels() {
                return List.of("ham", "spam");
            }

            @Override
            public List<io.bulwark.serving.model.Scored> predict(List<String> texts) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("inference queue full");
                }
                return texts.stream().map(t -> new io.bulwark.serving.model.Scored(t.contains("spam") ? "spam" : "ham",
                        new float[] {0.5f, 0.5f})).toList();
            }

            @Override
            public void close() {
            }
        }, new ModelRegistry.Settings(8, 100, 1, ArmSpec.latest(), ArmSpec.latest(), 100, 0, false,
                new RobustnessGate(new GateConfig(0.05, true, 50)), ModelRegistry.CanarySettings.DEFAULTS),
                new RegistryListener() {});
        heldOut(0, 10);
        registry.offer(FakeModels.snapshot("m", 1, "normal"));
        Await.until(Duration.ofSeconds(10), "v1 scored after a failed first attempt",
                () -> registry.find("m").flatMap(s -> s.canary().scores().scoredOn(1)).isPresent());
        assertThat(calls.get()).isGreaterThan(1);
        assertThat(registry.require("m").canary().scores().accuracy(1).orElseThrow().cleanAccuracy()).isEqualTo(1.0);
    }

    @Test
    void rollsTheChampionBackToTheLastGoodVersionAfterKFailedChecks() throws Exception {
        registry(0.6, 2);
        heldOut(0, 60);
        load(1, "normal");
        load(2, "normal");
        load(3, "inverted");
        assertThat(champion()).isEqualTo(2L);
        ServedModel slot = registry.require("m");
        List<LoadedVersion> evicted = new ArrayList<>();
        slot.withExperiment(e -> {
            e.setArm(Arm.A, ArmSpec.pinned(3), slot, System.currentTimeMillis());
            return null;
        }, evicted);
        assertThat(champion()).isEqualTo(3L);
        heldOut(60, 62);
        heldOut(62, 64);
        Await.until(Duration.ofSeconds(10), "automatic rollback", () -> champion() == 2L,
                () -> {
                    List<io.bulwark.serving.ab.Experiment.Event> events = slot.readExperiment(e -> e.events());
                    return events.toString();
                });
        List<io.bulwark.serving.ab.Experiment.Event> rollbacks = slot.readExperiment(e -> e.autoRollbacks());
        assertThat(rollbacks).hasSize(1);
        assertThat(rollbacks.get(0).message()).contains("v3 -> v2", "below 0.600");
        assertThat(rolledBack).hasSize(1).allSatisfy(r -> assertThat(r).startsWith("m: v3 -> v2"));
        ArmSpec specA = slot.readExperiment(e -> e.spec(Arm.A));
        assertThat(specA).isEqualTo(ArmSpec.pinned(2));
        // a healthy champion is never rolled back
        heldOut(64, 70);
        assertThat(champion()).isEqualTo(2L);
        List<io.bulwark.serving.ab.Experiment.Event> after = slot.readExperiment(e -> e.autoRollbacks());
        assertThat(after).hasSize(1);
    }
}
