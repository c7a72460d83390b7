package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void meanAndSampleStdIgnoringNaN() {
        Stats s = Stats.of(List.of(0.9, 0.8, Double.NaN, 0.7), x -> x);
        assertThat(s.n()).isEqualTo(3);
        assertThat(s.mean()).isCloseTo(0.8, within(1e-12));
        assertThat(s.std()).isCloseTo(0.1, within(1e-12));
        assertThat(s.percent()).isEqualTo("80.0 ± 10.0");
        assertThat(Stats.of(List.<Double>of(), x -> x).percent()).isEqualTo("–");
        assertThat(Stats.of(List.of(0.5), x -> x).std()).isZero();
    }
}
