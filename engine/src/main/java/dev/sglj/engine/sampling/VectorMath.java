package dev.sglj.engine.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API loops over one row of logits. */
final class VectorMath {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Vectors summed in float before the partial sum is added to the double total: at most 16 terms per lane. */
    private static final int VECTORS_PER_PARTIAL_SUM = 16;

    private VectorMath() {
    }

    static int lanes() {
        return LANES;
    }

    static float max(float[] a, int from, int to) {
        int i = from;
        float max = Float.NEGATIVE_INFINITY;
        if (to - from >= LANES) {
            FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int bound = to - LANES; i <= bound; i += LANES) {
                acc = acc.max(FloatVector.fromArray(SPECIES, a, i));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < to; i++) {
            max = Math.max(max, a[i]);
        }
        return max;
    }

    /**
     * {@code sum(exp(a[i] - shift))} over {@code [from, to)}: float32 exponentials, float partial sums of
     * at most 16 terms per lane, double total. Writes each exponential to {@code out[i]} when out is not null.
     */
    static double expSum(float[] a, int from, int to, float shift, float[] out) {
        double total = 0;
        int i = from;
        int bound = to - LANES;
        while (i <= bound) {
            FloatVector partial = FloatVector.zero(SPECIES);
            for (int v = 0; v < VECTORS_PER_PARTIAL_SUM && i <= bound; v++, i += LANES) {
                FloatVector e = FloatVector.fromArray(SPECIES, a, i).sub(shift).lanewise(VectorOperators.EXP);
                if (out != null) {
                    e.intoArray(out, i);
                }
                partial = partial.add(e);
            }
            total += partial.reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            float e = (float) Math.exp(a[i] - shift);
            if (out != null) {
                out[i] = e;
            }
            total += e;
        }
        return total;
    }

    /** dst[i] = src[srcOffset + i] for i in [0, length), NaN replaced by -inf. */
    static void copyNanAsNegativeInfinity(float[] src, int srcOffset, float[] dst, int length) {
        int i = 0;
        for (int bound = length - LANES; i <= bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, src, srcOffset + i);
            VectorMask<Float> nan = v.test(VectorOperators.IS_NAN);
            v.blend(Float.NEGATIVE_INFINITY, nan).intoArray(dst, i);
        }
        for (; i < length; i++) {
            float v = src[srcOffset + i];
            dst[i] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
        }
    }

    static void divide(float[] a, int length, float divisor) {
        int i = 0;
        for (int bound = length - LANES; i <= bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, i).div(divisor).intoArray(a, i);
        }
        for (; i < length; i++) {
            a[i] /= divisor;
        }
    }

    /** True when some value of {@code a[i, i + lanes())} is greater than {@code threshold}. */
    static boolean anyGreater(float[] a, int i, float threshold) {
        return FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GT, threshold).anyTrue();
    }

    /** True when some value of {@code a[i, i + lanes())} is at least {@code threshold}. */
    static boolean anyAtLeast(float[] a, int i, float threshold) {
        return FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GE, threshold).anyTrue();
    }

    /** Number of values of {@code a[0, length)} at least {@code threshold}. */
    static int countAtLeast(float[] a, int length, float threshold) {
        int count = 0;
        int i = 0;
        for (int bound = length - LANES; i <= bound; i += LANES) {
            count += FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GE, threshold).trueCount();
        }
        for (; i < length; i++) {
            if (a[i] >= threshold) {
                count++;
            }
        }
        return count;
    }

    /** Sum of {@code weights[i]} over the i in [0, length) where {@code a[i] >= threshold}. */
    static double sumWhereAtLeast(float[] a, float[] weights, int length, float threshold) {
        double total = 0;
        int i = 0;
        int bound = length - LANES;
        while (i <= bound) {
            FloatVector partial = FloatVector.zero(SPECIES);
            for (int v = 0; v < VECTORS_PER_PARTIAL_SUM && i <= bound; v++, i += LANES) {
                VectorMask<Float> above = FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GE, threshold);
                partial = partial.add(FloatVector.fromArray(SPECIES, weights, i), above);
            }
            total += partial.reduceLanes(VectorOperators.ADD);
        }
        for (; i < length; i++) {
            if (a[i] >= threshold) {
                total += weights[i];
            }
        }
        return total;
    }
}
