package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.StrategyType;
import org.junit.jupiter.api.Test;

class VariantTest {

    @Test
    void parsesEverySpellingAndCountsPasses() {
        assertThat(Variant.parse("natural").passesPerBatch()).isEqualTo(1);
        assertThat(Variant.parse("natural-x4").passesPerBatch()).isEqualTo(4);
        assertThat(Variant.parse("natural-x4").updatesPerBatch()).isEqualTo(4);
        assertThat(Variant.parse("pgd-3").passesPerBatch()).isEqualTo(4);
        assertThat(Variant.parse("pgd-3").updatesPerBatch()).isEqualTo(1);
        assertThat(Variant.parse("freeat-4").passesPerBatch()).isEqualTo(4);
        assertThat(Variant.parse("freeat-4").updatesPerBatch()).isEqualTo(4);
        assertThat(Variant.parse("freelb-3").passesPerBatch()).isEqualTo(3);
        Variant v = Variant.parse("FreeAT-8+EMA");
        assertThat(v.strategy()).isEqualTo(StrategyType.FREEAT);
        assertThat(v.ema()).isTrue();
        assertThat(v.name()).isEqualTo("freeat-8+ema");
        assertThat(v.displayName()).isEqualTo("Free-8 +EMA");
        assertThat(Variant.parse(v.name())).isEqualTo(v);
        Variant yopo = Variant.parse("yopo-5-3+ema");
        assertThat(yopo.strategy()).isEqualTo(StrategyType.YOPO);
        assertThat(yopo.passesPerBatch()).isEqualTo(5);
        assertThat(yopo.updatesPerBatch()).isEqualTo(1);
        assertThat(yopo.name()).isEqualTo("yopo-5-3+ema");
        assertThat(yopo.displayName()).isEqualTo("YOPO-5-3 +EMA");
        assertThat(Variant.parse(yopo.name())).isEqualTo(yopo);
        LearnerConfig c = yopo.apply(LearnerConfig.builder(), 0.5).build();
        assertThat(c.steps()).isEqualTo(5);
        assertThat(c.adversary().innerSteps()).isEqualTo(3);
    }

    @Test
    void rejectsUnknownSpellingsWithTheAcceptedOnes() {
        assertThatThrownBy(() -> Variant.parse("fgsm-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("natural-xR, pgd-K, freeat-M, freelb-K or yopo-M-N");
        assertThatThrownBy(() -> Variant.parse("pgd-x")).hasMessageContaining("Unknown variant 'pgd-x'");
    }

    @Test
    void appliesStrategyEmaAndOverridesToTheLearnerConfig() {
        Variant v = Variant.parse("freeat-4+ema").withOverride("eps", 0.1).withOverride("beta", 0.9);
        LearnerConfig c = v.apply(LearnerConfig.builder(), 0.5).build();
        assertThat(c.strategy()).isEqualTo(StrategyType.FREEAT);
        assertThat(c.steps()).isEqualTo(4);
        assertThat(c.bregmanWeight()).isEqualTo(0.5);
        assertThat(c.epsilon()).isEqualTo(0.1);
        assertThat(c.emaMomentum()).isEqualTo(0.9);
        assertThat(v.name()).isEqualTo("freeat-4+ema eps=0.1 beta=0.9");
        LearnerConfig off = Variant.parse("pgd-3").apply(LearnerConfig.builder(), 0.5).build();
        assertThat(off.bregmanWeight()).isZero();
    }
}
