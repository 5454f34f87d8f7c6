package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.fail;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random inputs, checkpoint-dtype encodings and the comparison used by the CPU backend tests. */
final class TestData {
    private TestData() {}

    static float[] uniform(Random random, int n, float range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * range;
        }
        return a;
    }

    /** Rounds each value to what the dtype can hold, so references see exactly the stored weights. */
    static float[] roundTo(DType dtype, float[] values) {
        float[] r = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = switch (dtype) {
                case F32 -> values[i];
                case BF16 -> Float.intBitsToFloat((bf16Bits(values[i]) & 0xFFFF) << 16);
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                case I32 -> throw new IllegalArgumentException();
            };
        }
        return r;
    }

    /** Round-to-nearest-even truncation of an F32 to its top 16 bits. */
    static short bf16Bits(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** A host tensor (as a checkpoint loader would hand over) holding {@code values} encoded in {@code dtype}. */
    static HostTensor host(Arena arena, String name, DType dtype, float[] values, long... shape) {
        MemorySegment s = arena.allocate((long) values.length * dtype.bytes());
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i]);
                case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, bf16Bits(values[i]));
                case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(values[i]));
                case I32 -> throw new IllegalArgumentException();
            }
        }
        return new HostTensor(name, dtype, shape, s);
    }

    /**
     * Checks {@code |actual - expected| <= rel * scale + abs} elementwise, where {@code scale} is the
     * magnitude the F32 rounding errors grow with (e.g. the sum of |terms| of a dot product).
     */
    static void assertClose(String what, float[] actual, double[] expected, double[] scale, double rel, double abs) {
        if (actual.length != expected.length) {
            fail(what + ": " + actual.length + " values, expected " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            double tol = rel * (scale == null ? Math.abs(expected[i]) : scale[i]) + abs;
            if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
