package io.bulwark.serving.canary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChampionWatchTest {

    @Test
    void firesAfterKConsecutiveNewChecksBelowTheThreshold() {
        ChampionWatch w = new ChampionWatch(0.8, 3);
        assertThat(w.observe(2, 1, 0.5)).isFalse();
        assertThat(w.observe(2, 1, 0.5)).as("the same canary version is not a new check").isFalse();
        assertThat(w.observe(2, 2, 0.5)).isFalse();
        assertThat(w.observe(2, 3, 0.9)).as("a good check resets").isFalse();
        assertThat(w.observe(2, 4, 0.5)).isFalse();
        assertThat(w.observe(2, 5, 0.5)).isFalse();
        assertThat(w.observe(2, 6, 0.5)).isTrue();
        assertThat(w.observe(3, 7, 0.5)).as("a new champion starts over").isFalse();
        assertThat(new ChampionWatch(0, 1).observe(1, 1, 0.0)).as("threshold 0 is off").isFalse();
    }
}
