package io.bulwark.serving.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ab.GateConfig;
import io.bulwark.serving.ab.RobustnessGate;
import io.bulwark.serving.error.ServingException;
import io.bulwark.serving.testing.Await;
import io.bulwark.serving.testing.FakeModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    private final FakeModels.Loader loader = new FakeModels.Loader();
    private ModelRegistry registry;

    private ModelRegistry registry(int maxVersions, ArmSpec a, ArmSpec b) {
        registry = new ModelRegistry(loader, new ModelRegistry.Settings(maxVersions, 100, 1, a, b, 100, 0, false,
                new RobustnessGate(new GateConfig(0.05, false))), new RegistryListener() {});
        return registry;
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private void awaitLoaded(String model, long version) {
        Await.until(Duration.ofSeconds(10), model + " v" + version + " loaded",
                () -> registry.find(model).flatMap(s -> s.version(version)).isPresent()
                        || registry.find(model).map(s -> !s.refused().isEmpty()).orElse(false));
    }

    @Test
    void keepsAtMostTheBoundEvictingLeastRecentlyUsedButNeverPinned() {
        registry(3, ArmSpec.pinned(1), ArmSpec.latest());
        for (long v = 1; v <= 6; v++) {
            registry.offer(FakeModels.snapshot("m", v, "normal"));
            awaitLoaded("m", v);
        }
        ServedModel slot = registry.require("m");
        // v1 is pinned by arm A, v6 is B's latest; the bound of 3 leaves room for one more: the most recently loaded
        assertThat(slot.loadedVersions()).containsExactly(1L, 5L, 6L);
        // The loader thread closes evicted versions after it makes the new one visible.
        Await.until(Duration.ofSeconds(10), "evicted versions closed", () -> loader.closed.get() >= 3);
        assertThat(loader.closed.get()).as("evicted versions are closed").isEqualTo(3);
        Long a = slot.readExperiment(e -> e.version(Arm.A));
        assertThat(a).isEqualTo(1L);
    }

    @Test
    void usingAVersionProtectsItFromEviction() {
        registry(3, ArmSpec.latest(), ArmSpec.none());
        for (long v = 1; v <= 3; v++) {
            registry.offer(FakeModels.snapshot("m", v, "normal"));
            awaitLoaded("m", v);
        }
        ServedModel slot = registry.require("m");
        slot.use(1, registry.tick()); // v1 becomes the most recently used; v2 is now the LRU
        registry.offer(FakeModels.snapshot("m", 4, "normal"));
        awaitLoaded("m", 4);
        assertThat(slot.loadedVersions()).containsExactly(1L, 3L, 4L);
    }

    @Test
    void refusedSnapshotIsRecordedWhileLoadedVersionsKeepServing() {
        registry(4, ArmSpec.latest(), ArmSpec.latest());
        registry.offer(FakeModels.snapshot("m", 1, "normal"));
        awaitLoaded("m", 1);
        registry.offer(FakeModels.snapshot("m", 2, "corrupt"));
        registry.offer(FakeModels.snapshot("m", 3, "normal", 99));
        ServedModel slot = registry.require("m");
        Await.until(Duration.ofSeconds(10), "two refusals", () -> slot.refused().size() == 2);
        assertThat(slot.refused()).extracting(ServedModel.Refusal::reason)
                .anySatisfy(r -> assertThat(r).contains("checksum mismatch"))
                .anySatisfy(r -> assertThat(r).contains("unknown parameter format version 99"));
        assertThat(slot.loadedVersions()).containsExactly(1L);
        ServedModel.Target t = slot.route("key", registry.tick());
        assertThat(t.primary().version()).isEqualTo(1);
        assertThat(t.primary().model().predict(List.of("spam spam")).get(0).label()).isEqualTo("spam");
    }

    @Test
    void duplicatesAndVersionsOlderThanTheWindowAreSkipped() {
        registry(2, ArmSpec.latest(), ArmSpec.none());
        registry.offer(FakeModels.snapshot("m", 5, "normal"));
        awaitLoaded("m", 5);
        registry.offer(FakeModels.snapshot("m", 6, "normal"));
        awaitLoaded("m", 6);
        registry.offer(FakeModels.snapshot("m", 6, "normal"));
        registry.offer(FakeModels.snapshot("m", 2, "normal"));
        Await.until(Duration.ofSeconds(5), "idle loader", () -> registry.pendingLoads() == 0);
        assertThat(registry.require("m").loadedVersions()).containsExactly(5L, 6L);
        assertThat(loader.opened.get()).isEqualTo(2);
    }

    @Test
    void aVersionNumberServesTheFirstPayloadReadForItAndRefusesADifferentOne() {
        registry(4, ArmSpec.latest(), ArmSpec.none());
        registry.offer(FakeModels.snapshot("m", 7, "normal"));
        awaitLoaded("m", 7);
        ServedModel slot = registry.require("m");
        String first = slot.version(7).orElseThrow().fingerprint();
        // a copy (the latest topic repeats the versions topic) is skipped silently
        registry.offer(FakeModels.snapshot("m", 7, "normal"));
        // a different payload under the same version is refused and the first keeps serving
        registry.offer(FakeModels.snapshot("m", 7, "inverted"));
        Await.until(Duration.ofSeconds(5), "idle loader", () -> registry.pendingLoads() == 0);
        assertThat(loader.opened.get()).isEqualTo(1);
        assertThat(slot.refused()).singleElement().satisfies(r -> {
            assertThat(r.version()).isEqualTo(7);
            assertThat(r.kind()).isEqualTo("conflict");
            assertThat(r.reason()).contains(first).contains(PayloadFingerprint.of(FakeModels.snapshot("m", 7,
                    "inverted")));
        });
        assertThat(slot.version(7).orElseThrow().fingerprint()).isEqualTo(first);
        assertThat(slot.version(7).orElseThrow().model().predict(List.of("spam")).get(0).label()).isEqualTo("spam");
        assertThat(first).isNotEqualTo(PayloadFingerprint.of(FakeModels.snapshot("m", 7, "inverted")));
    }

    @Test
    void aVersionWhoseLoadFailedIsNotBoundAndLoadsFromALaterRecord() {
        registry(4, ArmSpec.latest(), ArmSpec.none());
        registry.offer(FakeModels.snapshot("m", 3, "corrupt"));
        ServedModel slot = registry.require("m");
        Await.until(Duration.ofSeconds(10), "v3 refused", () -> !slot.refused().isEmpty());
        registry.offer(FakeModels.snapshot("m", 3, "inverted"));
        Await.until(Duration.ofSeconds(10), "v3 loaded", () -> slot.version(3).isPresent());
        assertThat(slot.version(3).orElseThrow().model().predict(List.of("spam")).get(0).label()).isEqualTo("ham");
        assertThat(slot.refused()).isEmpty();
    }

    @Test
    void unknownModelIs404() {
        registry(2, ArmSpec.latest(), ArmSpec.none());
        assertThatThrownBy(() -> registry.require("nope")).isInstanceOf(ServingException.class)
                .hasMessageContaining("unknown model 'nope'");
    }

    @Test
    void experimentChangesUnpinAndEvict() {
        registry(2, ArmSpec.latest(), ArmSpec.pinned(1));
        for (long v = 1; v <= 3; v++) {
            registry.offer(FakeModels.snapshot("m", v, "normal"));
            awaitLoaded("m", v);
        }
        ServedModel slot = registry.require("m");
        // A serves v3, B is pinned to v1, v2 is A's rollback target: all needed, so the bound of 2 is exceeded
        assertThat(slot.loadedVersions()).containsExactly(1L, 2L, 3L);
        List<LoadedVersion> evicted = new ArrayList<>();
        slot.withExperiment(e -> {
            e.setArm(Arm.B, ArmSpec.latest(), slot, 0);
            return null;
        }, evicted);
        assertThat(evicted).extracting(LoadedVersion::version).containsExactly(1L);
        assertThat(slot.loadedVersions()).containsExactly(2L, 3L);
        java.util.Set<Long> pinned = slot.readExperiment(e -> e.pinnedVersions());
        assertThat(pinned).containsExactlyInAnyOrder(3L, 2L);
    }
}
