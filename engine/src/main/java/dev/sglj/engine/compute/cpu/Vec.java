package dev.sglj.engine.compute.cpu;

import dev.sglj.engine.compute.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector species and the loads that turn BF16/F16/F32 memory into F32 vectors. */
final class Vec {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts with as many lanes as {@link #F}, so one load widens to one float vector. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final int L = F.length();
    /** Checkpoints (safetensors) are little-endian; activations use the same order. */
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private Vec() {}

    static FloatVector f32(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(F, s, element * 4, LE);
    }

    static void storeF32(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element * 4, LE);
    }

    /** BF16 is the top half of an F32: widen and shift left by 16. */
    static FloatVector bf16(MemorySegment s, long element) {
        ShortVector h = ShortVector.fromMemorySegment(S, s, element * 2, LE);
        return ((IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    static float get(DType dtype, MemorySegment s, long element) {
        return switch (dtype) {
            case F32 -> s.get(FLOAT, element * 4);
            case BF16 -> Float.intBitsToFloat((s.get(SHORT, element * 2) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(s.get(SHORT, element * 2));
            case I32 -> throw new IllegalArgumentException("I32 is not a floating-point dtype");
        };
    }

    /** Elements converted per step of F16 through the thread's scratch. */
    private static final int CHUNK = 1024;

    private static final class Scratch {
        final short[] halves = new short[CHUNK];
        final float[] floats = new float[CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Converts {@code len} elements from {@code element} of a BF16/F16/F32 segment into
     * {@code dst[dstOff..]}. Each dtype has its own small loop so C2 inlines the vector code (a vector
     * op left behind a call is boxed, about 100x slower).
     */
    static void toFloats(DType dtype, MemorySegment s, long element, float[] dst, int dstOff, int len) {
        switch (dtype) {
            case F32 -> f32ToFloats(s, element, dst, dstOff, len);
            case BF16 -> bf16ToFloats(s, element, dst, dstOff, len);
            case F16 -> f16ToFloats(s, element, dst, dstOff, len);
            case I32 -> throw new IllegalArgumentException("I32 is not a floating-point dtype");
        }
    }

    private static void f32ToFloats(MemorySegment s, long element, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            f32(s, element + i).intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = s.get(FLOAT, (element + i) * 4);
        }
    }

    private static void bf16ToFloats(MemorySegment s, long element, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            bf16(s, element + i).intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = get(DType.BF16, s, element + i);
        }
    }

    private static void f16ToFloats(MemorySegment s, long element, float[] dst, int dstOff, int len) {
        short[] halves = SCRATCH.get().halves;
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                ShortVector.fromMemorySegment(S, s, (element + c + i) * 2, LE).intoArray(halves, i);
            }
            for (; i < n; i++) {
                halves[i] = s.get(SHORT, (element + c + i) * 2);
            }
            halvesToFloats(halves, n, dst, dstOff + c);
        }
    }

    /**
     * The Vector API has no half-float conversion; C2 vectorises this loop (vcvtph2ps on x86) as long
     * as it stays a simple counted loop over arrays in a small method.
     */
    private static void halvesToFloats(short[] halves, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(halves[i]);
        }
    }

    /** As {@link #toFloats(DType, MemorySegment, long, float[], int, int)} into an F32 segment. */
    static void toFloats(DType dtype, MemorySegment s, long element, MemorySegment dst, long dstElement, long len) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(s, element * 4, dst, dstElement * 4, len * 4);
            case BF16 -> {
                long i = 0;
                for (long bound = len - len % L; i < bound; i += L) {
                    storeF32(bf16(s, element + i), dst, dstElement + i);
                }
                for (; i < len; i++) {
                    dst.set(FLOAT, (dstElement + i) * 4, get(DType.BF16, s, element + i));
                }
            }
            case F16 -> {
                float[] floats = SCRATCH.get().floats;
                for (long c = 0; c < len; c += CHUNK) {
                    int n = (int) Math.min(CHUNK, len - c);
                    toFloats(dtype, s, element + c, floats, 0, n);
                    MemorySegment.copy(floats, 0, dst, FLOAT, (dstElement + c) * 4, n);
                }
            }
            case I32 -> throw new IllegalArgumentException("I32 is not a floating-point dtype");
        }
    }

    /** Sum over lanes of {@code a[i] * b[i]} for {@code len} floats of two F32 segments. */
    static float dot(MemorySegment a, long aElement, MemorySegment b, long bElement, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            acc = f32(a, aElement + i).fma(f32(b, bElement + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a.get(FLOAT, (aElement + i) * 4) * b.get(FLOAT, (bElement + i) * 4);
        }
        return sum;
    }
}
