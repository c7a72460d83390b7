package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CollapseDetectorTest {

    @Test
    void flagsASuddenRobustDropWhileCleanHolds() {
        CollapseDetector d = new CollapseDetector(0.2, 0.05, 0.2);
        assertThat(d.observe(10, 320, 0.80, 0.30)).isFalse();
        assertThat(d.observe(20, 640, 0.85, 0.45)).isFalse();
        assertThat(d.observe(30, 960, 0.86, 0.40)).isFalse();
        assertThat(d.observe(40, 1280, 0.88, 0.10)).isTrue();
        CollapseDetector.Collapse c = d.collapse();
        assertThat(c.batch()).isEqualTo(40);
        assertThat(c.peakRobust()).isEqualTo(0.45);
        assertThat(c.peakBatch()).isEqualTo(20);
        assertThat(d.observe(50, 1600, 0.88, 0.05)).as("only the first collapse is reported").isFalse();
    }

    @Test
    void ignoresDropsThatComeWithACleanDropOrFromATinyPeak() {
        CollapseDetector d = new CollapseDetector(0.2, 0.05, 0.2);
        d.observe(10, 320, 0.90, 0.50);
        assertThat(d.observe(20, 640, 0.70, 0.20)).as("clean fell too: plain divergence, not CO").isFalse();
        CollapseDetector tiny = new CollapseDetector(0.05, 0.05, 0.2);
        tiny.observe(10, 320, 0.9, 0.10);
        assertThat(tiny.observe(20, 640, 0.9, 0.0)).isFalse();
        assertThat(tiny.collapse()).isNull();
    }

    @Test
    void aModelThatOnlyStopsPredictingOneClassIsNotACollapse() {
        CollapseDetector d = new CollapseDetector(0.2, 0.05, 0.2);
        // All-ham predictor: the attack changes nothing, robust = clean = ham share.
        assertThat(d.observe(6, 192, 0.60, 0.60)).isFalse();
        assertThat(d.observe(12, 384, 0.62, 0.05)).isFalse();
        assertThat(d.collapse()).isNull();
        assertThat(d.peakRobust()).isEqualTo(0.05);
    }

    @Test
    void aModelThatCannotYetClassifyHasNoPeakToCollapseFrom() {
        // Early in the stream: clean 0.56 (the probe's majority share), a few flips left -> robust 0.38; then the
        // model learns and the attack flips everything. Natural training, not a collapse.
        CollapseDetector d = new CollapseDetector(0.2, 0.05, 0.2, 0.8);
        assertThat(d.observe(18, 576, 0.56, 0.38)).isFalse();
        assertThat(d.observe(24, 768, 0.97, 0.05)).isFalse();
        assertThat(d.collapse()).isNull();
        // Without the floor the same probes are flagged.
        CollapseDetector noFloor = new CollapseDetector(0.2, 0.05, 0.2);
        noFloor.observe(18, 576, 0.56, 0.38);
        assertThat(noFloor.observe(24, 768, 0.97, 0.05)).isTrue();
        // A working classifier that loses its robustness is still flagged.
        assertThat(d.observe(30, 960, 0.94, 0.41)).isFalse();
        assertThat(d.observe(36, 1152, 0.94, 0.0)).isTrue();
    }
}
