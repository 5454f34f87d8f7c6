package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PoissonArrivalsTest {
    @Test
    void gapsAreExponentialWithTheRequestedMean() {
        double rate = 4;
        int n = 40_000;
        PoissonArrivals arrivals = new PoissonArrivals(rate, new Random(1));
        double[] gaps = new double[n];
        for (int i = 0; i < n; i++) {
            gaps[i] = arrivals.nextGap();
        }
        double mean = Stats.mean(gaps);
        // the mean of n exponential gaps has a standard error of (1/rate)/sqrt(n) = 0.5% here
        assertThat(mean).isCloseTo(1 / rate, within(0.02 / rate));
        assertThat(Stats.std(gaps)).as("exponential: std equals mean").isCloseTo(1 / rate, within(0.03 / rate));
        long longerThanMean = java.util.Arrays.stream(gaps).filter(g -> g > 1 / rate).count();
        assertThat(longerThanMean / (double) n).as("P(gap > mean) = 1/e").isCloseTo(Math.exp(-1), within(0.01));
    }

    @Test
    void infiniteRateSendsEverythingAtOnce() {
        PoissonArrivals arrivals = new PoissonArrivals(Double.POSITIVE_INFINITY, new Random(1));
        for (int i = 0; i < 10; i++) {
            assertThat(arrivals.nextGap()).isZero();
        }
    }

    @Test
    void rejectsNonPositiveRates() {
        assertThatThrownBy(() -> new PoissonArrivals(0, new Random(1))).hasMessageContaining("--request-rate");
        assertThatThrownBy(() -> ServingBenchCommand.parseRate("fast")).hasMessageContaining("--request-rate");
        assertThat(ServingBenchCommand.parseRate("inf")).isInfinite();
        assertThat(ServingBenchCommand.parseRate("2.5")).isEqualTo(2.5);
    }
}
