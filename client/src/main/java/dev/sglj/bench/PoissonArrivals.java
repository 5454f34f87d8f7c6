package dev.sglj.bench;

import java.util.Random;

/**
 * Gaps between request arrivals: exponential with mean 1 / rate (a Poisson process), or all zero when the
 * rate is infinite.
 */
public final class PoissonArrivals {
    private final double rate;
    private final Random rng;

    public PoissonArrivals(double requestRate, Random rng) {
        if (!(requestRate > 0)) {
            throw new IllegalArgumentException("--request-rate must be > 0 (or inf), got " + requestRate);
        }
        this.rate = requestRate;
        this.rng = rng;
    }

    /** Seconds to wait after sending one request before sending the next. */
    public double nextGap() {
        if (Double.isInfinite(rate)) {
            return 0;
        }
        return -Math.log(1.0 - rng.nextDouble()) / rate;
    }
}
