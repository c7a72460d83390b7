package io.bulwark.serving.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.serving.canary.CanaryConfidences;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PSI, the bias-corrected Jensen–Shannon divergence, the z statistics and the CBPE calibration on known cases. */
class DriftStatisticsTest {

    @Test
    void psiOfAKnownShift() {
        // shares 0.5/0.5 against 0.8/0.2: (0.3 ln 1.6) + (-0.3 ln 0.4)
        double expected = 0.3 * Math.log(1.6) - 0.3 * Math.log(0.4);
        assertThat(DriftStatistics.psi(new long[] {50, 50}, new long[] {80, 20})).isCloseTo(expected, within(1e-12));
        assertThat(DriftStatistics.psi(new long[] {50, 50}, new long[] {5, 5})).isZero();
        assertThat(DriftStatistics.psi(new long[] {0, 0}, new long[] {5, 5})).isNaN();
    }

    @Test
    void jensenShannonOfTwoSamplesOfOneDistributionIsAboutZeroAfterTheBiasCorrection() {
        SplittableRandom rng = new SplittableRandom(3);
        long[] a = new long[512];
        long[] b = new long[512];
        for (int i = 0; i < 20_000; i++) {
            a[rng.nextInt(512)]++;
            b[rng.nextInt(512)]++;
        }
        // without the correction the divergence of two 20,000-token samples over 512 bins is about 0.009 bits
        assertThat(DriftStatistics.excessJensenShannon(a, b)).isCloseTo(0.0, within(0.002));
        long[] disjoint = new long[512];
        disjoint[0] = 20_000;
        long[] other = new long[512];
        other[1] = 20_000;
        assertThat(DriftStatistics.excessJensenShannon(disjoint, other)).isCloseTo(1.0, within(1e-3));
    }

    @Test
    void zStatisticsOfRises() {
        assertThat(DriftStatistics.proportionZ(10, 100, 10, 100)).isZero();
        // 10 % to 30 % of 100: pooled p = 0.2, se = sqrt(0.2 * 0.8 * 0.02) = 0.0566
        assertThat(DriftStatistics.proportionZ(10, 100, 30, 100)).isCloseTo(0.2 / Math.sqrt(0.0032), within(1e-9));
        DriftStatistics.Moments a = new DriftStatistics.Moments(4, 2, 1.5);
        assertThat(a.mean()).isEqualTo(0.5);
        assertThat(a.variance()).isCloseTo((1.5 - 1.0) / 3, within(1e-12));
    }

    @Test
    void calibratedConfidenceEstimatesAccuracyWithoutLabels() {
        // A version that is right 60 % of the time at confidence 0.55 and 95 % at confidence 0.99.
        List<CanaryConfidences.Answer> canary = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            canary.add(new CanaryConfidences.Answer(0.55f, i < 60));
            canary.add(new CanaryConfidences.Answer(0.995f, i < 95));
        }
        Calibration c = Calibration.fit(canary);
        assertThat(c.canaryAccuracy()).isEqualTo(0.775);
        double low = (60 + 10 * 0.775) / 110;
        double high = (95 + 10 * 0.775) / 110;
        assertThat(c.binAccuracy()[Calibration.bin(0.55)]).isCloseTo(low, within(1e-12));
        // served traffic of only low-confidence answers is estimated at the low bin's accuracy, not at 0.775
        ModelMonitor m = new ModelMonitor(MonitorSettings.DEFAULTS);
        for (int i = 0; i < 30; i++) {
            m.observeAnswer(7, 0.55);
        }
        for (int i = 0; i < 10; i++) {
            m.observeAnswer(7, 0.995);
        }
        ModelMonitor.Estimate e = m.estimate(7, c);
        assertThat(e.answers()).isEqualTo(40);
        assertThat(e.estimatedAccuracy()).isCloseTo((30 * low + 10 * high) / 40, within(1e-12));
        assertThat(e.calibrationExamples()).isEqualTo(200);
        // the canary is half low and half high confidence; the served answers three quarters low: the PSI says so
        assertThat(e.confidencePsi()).isCloseTo(0.25 * Math.log(1.5) - 0.25 * Math.log(0.5), within(1e-9));
        assertThat(m.estimate(8, c).estimatedAccuracy()).isNaN();
        assertThat(m.estimate(7, null).estimatedAccuracy()).isNaN();
        assertThat(Calibration.fit(List.of())).isNull();
    }
}
