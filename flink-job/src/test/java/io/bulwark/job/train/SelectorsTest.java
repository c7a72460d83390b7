package io.bulwark.job.train;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SelectorsTest {

    private static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public Optional<String> getProperty(String key) {
                return Optional.ofNullable(Map.of("index", index).get(key));
            }

            @Override
            public Collection<String> getKeys() {
                return List.of("index");
            }
        };
    }

    @Test
    void autoPicksTheAssignedGpuElseTheCpu() {
        assertThat(DeviceSelector.select("auto", List.of())).isEqualTo("cpu");
        assertThat(DeviceSelector.select("auto", null)).isEqualTo("cpu");
        assertThat(DeviceSelector.select("auto", List.of(gpu("3"), gpu("1")))).isEqualTo("gpu:1");
        assertThat(DeviceSelector.select("cpu", List.of(gpu("0")))).isEqualTo("cpu");
        assertThat(DeviceSelector.select("gpu:2", List.of())).isEqualTo("gpu:2");
    }

    @Test
    void subtasksOfOneTaskManagerSpreadOverItsGpusAndReleaseThem() {
        List<ExternalResourceInfo> gpus = List.of(gpu("3"), gpu("1"));
        try (DeviceSelector.Lease a = DeviceSelector.acquire("auto", gpus);
             DeviceSelector.Lease b = DeviceSelector.acquire("auto", gpus)) {
            assertThat(List.of(a.device(), b.device())).containsExactly("gpu:1", "gpu:3");
            DeviceSelector.Lease c = DeviceSelector.acquire("auto", gpus);
            assertThat(c.device()).as("both in use once: the lowest index").isEqualTo("gpu:1");
            a.close();
            a.close(); // a second close releases nothing more
            try (DeviceSelector.Lease d = DeviceSelector.acquire("auto", gpus);
                 DeviceSelector.Lease e = DeviceSelector.acquire("auto", gpus)) {
                assertThat(d.device()).as("gpu:1 is held by c only, gpu:3 by b").isEqualTo("gpu:1");
                assertThat(e.device()).isEqualTo("gpu:3");
            }
            c.close();
        }
        try (DeviceSelector.Lease cpu = DeviceSelector.acquire("auto", List.of());
             DeviceSelector.Lease forced = DeviceSelector.acquire("gpu:2", gpus)) {
            assertThat(cpu.device()).isEqualTo("cpu");
            assertThat(forced.device()).isEqualTo("gpu:2");
        }
        try (DeviceSelector.Lease again = DeviceSelector.acquire("auto", gpus)) {
            assertThat(again.device()).as("every lease released").isEqualTo("gpu:1");
        }
    }

    @Test
    void heldOutSelectionIsDeterministicAndNearTheFraction() {
        long held = IntStream.range(0, 20_000).filter(i -> HeldOutSelector.isHeldOut("m", "e" + i, 0.1)).count();
        assertThat(held).isBetween(1_800L, 2_200L);
        assertThat(HeldOutSelector.isHeldOut("m", "e7", 0.1)).isEqualTo(HeldOutSelector.isHeldOut("m", "e7", 0.1));
        assertThat(IntStream.range(0, 1000).filter(i -> HeldOutSelector.isHeldOut("m", "e" + i, 0)).count())
                .isZero();
    }
}
