package dev.sglj.bench;

import java.util.Arrays;

/** numpy's mean, median, std (population), percentile (linear interpolation) and max over doubles. */
final class Stats {
    private Stats() {
    }

    static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.length;
    }

    static double std(double[] xs) {
        double mean = mean(xs);
        double sq = 0;
        for (double x : xs) {
            sq += (x - mean) * (x - mean);
        }
        return Math.sqrt(sq / xs.length);
    }

    static double median(double[] xs) {
        return percentile(xs, 50);
    }

    /** numpy.percentile with the default 'linear' method; NaN for an empty array. */
    static double percentile(double[] xs, double p) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = rank - lo;
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
    }

    static double max(double[] xs) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            max = Math.max(max, x);
        }
        return xs.length == 0 ? Double.NaN : max;
    }

    /** SGLang's {@code xs or 0}: an empty list is measured as the single value 0. */
    static double[] orZero(double[] xs) {
        return xs.length == 0 ? new double[] {0} : xs;
    }
}
