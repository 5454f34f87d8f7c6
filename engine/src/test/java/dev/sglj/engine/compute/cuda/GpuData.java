package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random BF16-exact (or full F32) inputs and the relative-error comparison of the GPU tests. */
final class GpuData {
    /** BF16 outputs carry 2^-9 relative rounding each; F32 accumulation keeps sums well inside this. */
    static final double BF16_TOLERANCE = 1e-2;
    /**
     * F32 kernels against the CPU: summation order and expf's few-ulp error stay near 1e-6 norm-wise;
     * BF16 rounding anywhere (~2e-3) or TF32 GEMM inputs (~2e-4) break it.
     */
    static final double F32_TOLERANCE = 2e-5;

    private GpuData() {}

    /** Uniform in [-range, range), rounded to BF16 so CPU and GPU start from identical values. */
    static float[] bf16Uniform(Random random, int n, float range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = Bf16.round((random.nextFloat() * 2 - 1) * range);
        return a;
    }

    /** Uniform in [-range, range), full F32 precision (for the F32 path: not BF16-exact). */
    static float[] f32Uniform(Random random, int n, float range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (random.nextFloat() * 2 - 1) * range;
        return a;
    }

    static HostTensor hostF32(Arena arena, String name, float[] values, long... shape) {
        MemorySegment s = arena.allocate((long) values.length * 4);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return new HostTensor(name, DType.F32, shape, s);
    }

    /** A checkpoint-style host tensor holding {@code values} encoded in {@code dtype}. */
    static HostTensor encode(Arena arena, String name, DType dtype, float[] values, long... shape) {
        MemorySegment s = arena.allocate((long) values.length * dtype.bytes());
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i]);
                case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, Bf16.fromFloat(values[i]));
                case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(values[i]));
                case I32 -> throw new IllegalArgumentException("not a float dtype");
            }
        }
        return new HostTensor(name, dtype, shape, s);
    }

    /** {@code ||actual - expected|| / ||expected||}; NaN anywhere fails. */
    static double relativeError(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            assertThat(Float.isNaN(actual[i])).as("NaN at " + i).isFalse();
            double d = actual[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    static void assertClose(String what, float[] actual, float[] expected, double tolerance) {
        double err = relativeError(actual, expected);
        System.out.printf("  %-44s rel err %.2e (tolerance %.0e)%n", what, err, tolerance);
        assertThat(err).as(what + " relative error").isLessThanOrEqualTo(tolerance);
    }

    /**
     * Bit-equal arrays, reported by the first differing index and how many differ: AssertJ's containsExactly
     * diffs arrays of millions of floats in quadratic time, which looked like a hang (thread dumps at 50, 100 and
     * 140 s were all inside its IterableDiff).
     */
    static void assertSameBits(String what, float[] actual, float[] expected) {
        assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
        int first = -1;
        int differing = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                if (first < 0) first = i;
                differing++;
            }
        }
        if (first >= 0) {
            throw new AssertionError(String.format("%s: %d of %d values differ, the first at %d: %s against %s", what,
                    differing, actual.length, first, actual[first], expected[first]));
        }
    }

    /** The values of an I32 tensor on {@code gpu}'s device, waiting for its stream. */
    static int[] readInts(CudaBackend gpu, Tensor t) {
        CudaTensor c = TensorChecks.check("readInts", "t", t, DType.I32);
        PinnedBuffer back = new PinnedBuffer();
        try {
            return back.read(c.ptr(), c.bytes(), gpu.stream()).toArray(ValueLayout.JAVA_INT);
        } finally {
            back.release();
        }
    }

    /**
     * {@code values} as BF16 of {@code shape}, starting one element (2 bytes) past an allocation's start: off
     * the 16-byte boundary that the kernels' vector forms need, so the op takes its scalar form.
     */
    static CudaTensor bf16OffBoundary(CudaBackend gpu, float[] values, long... shape) {
        float[] padded = new float[values.length + 1];
        System.arraycopy(values, 0, padded, 1, values.length);
        CudaTensor whole = (CudaTensor) gpu.upload(padded, DType.BF16, padded.length);
        CudaTensor view = whole.view("off-boundary", 2, shape);
        assertThat(view.alignedTo(16)).as("a view one element in").isFalse();
        return view;
    }

    static int[] permutation(Random random, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
