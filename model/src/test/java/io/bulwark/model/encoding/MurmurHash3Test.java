package io.bulwark.model.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MurmurHash3Test {

    @Test
    void matchesReferenceVectors() {
        assertThat(MurmurHash3.hash32("", 0)).isZero();
        assertThat(MurmurHash3.hash32("", 1)).isEqualTo(0x514e28b7);
        assertThat(MurmurHash3.hash32("", 0xffffffff)).isEqualTo(0x81f16f39);
        assertThat(MurmurHash3.hash32("test", 0)).isEqualTo(0xba6bd213);
        assertThat(MurmurHash3.hash32("Hello, world!", 0)).isEqualTo(0xc0363e43);
        assertThat(MurmurHash3.hash32("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2e4ff723);
    }

    @Test
    void unitIntervalIsInRangeAndStable() {
        for (int i = 0; i < 1000; i++) {
            double u = MurmurHash3.unitInterval("key-" + i, 7);
            assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1).isEqualTo(MurmurHash3.unitInterval("key-" + i, 7));
        }
    }
}
