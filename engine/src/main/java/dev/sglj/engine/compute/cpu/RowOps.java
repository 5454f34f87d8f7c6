package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.F;
import static dev.sglj.engine.compute.cpu.Vec.FLOAT;
import static dev.sglj.engine.compute.cpu.Vec.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Row-wise F32 kernels: RMSNorm (plain and fused with the residual add), rotary embedding, SiLU-and-mul. */
final class RowOps {
    private RowOps() {}

    /** RMSNorm of each group of {@code weight.length} elements in rows {@code [from, to)} of {@code cols}. */
    static void rmsNorm(MemorySegment x, float[] weight, float eps, MemorySegment out, long cols, int from, int to) {
        int g = weight.length;
        for (long row = from; row < to; row++) {
            for (long start = row * cols; start < (row + 1) * cols; start += g) {
                normGroup(x, start, weight, eps, out);
            }
        }
    }

    /** {@code residual += x} then RMSNorm of the residual into {@code out}, rows {@code [from, to)}. */
    static void addRmsNorm(MemorySegment x, MemorySegment residual, float[] weight, float eps, MemorySegment out,
                           long cols, int from, int to) {
        for (long row = from; row < to; row++) {
            long start = row * cols;
            long i = 0;
            for (long bound = cols - cols % L; i < bound; i += L) {
                Vec.storeF32(Vec.f32(residual, start + i).add(Vec.f32(x, start + i)), residual, start + i);
            }
            for (; i < cols; i++) {
                long at = (start + i) * 4;
                residual.set(FLOAT, at, residual.get(FLOAT, at) + x.get(FLOAT, at));
            }
            for (long g = start; g < start + cols; g += weight.length) {
                normGroup(residual, g, weight, eps, out);
            }
        }
    }

    private static void normGroup(MemorySegment x, long start, float[] weight, float eps, MemorySegment out) {
        int g = weight.length;
        int bound = F.loopBound(g);
        FloatVector sq = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = Vec.f32(x, start + i);
            sq = v.fma(v, sq);
        }
        float sum = sq.reduceLanes(VectorOperators.ADD);
        for (; i < g; i++) {
            float v = x.get(FLOAT, (start + i) * 4);
            sum += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(sum / g + eps));
        for (i = 0; i < bound; i += L) {
            Vec.storeF32(Vec.f32(x, start + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)), out, start + i);
        }
        for (; i < g; i++) {
            long at = (start + i) * 4;
            out.set(FLOAT, at, x.get(FLOAT, at) * inv * weight[i]);
        }
    }

    /**
     * Rotate-half rotary embedding in place for rows {@code [from, to)} of {@code heads * headDim}:
     * {@code (a, b) -> (a cos - b sin, b cos + a sin)} for the two halves of each head.
     */
    static void rope(MemorySegment x, int heads, int headDim, int[] positions, MemorySegment cosSin, int from, int to) {
        int half = headDim / 2;
        int bound = F.loopBound(half);
        for (int row = from; row < to; row++) {
            long table = (long) positions[row] * headDim;
            for (int h = 0; h < heads; h++) {
                long a = ((long) row * heads + h) * headDim;
                long b = a + half;
                int i = 0;
                for (; i < bound; i += L) {
                    FloatVector cos = Vec.f32(cosSin, table + i);
                    FloatVector sin = Vec.f32(cosSin, table + half + i);
                    FloatVector va = Vec.f32(x, a + i);
                    FloatVector vb = Vec.f32(x, b + i);
                    Vec.storeF32(va.mul(cos).sub(vb.mul(sin)), x, a + i);
                    Vec.storeF32(vb.mul(cos).add(va.mul(sin)), x, b + i);
                }
                for (; i < half; i++) {
                    float cos = cosSin.get(FLOAT, (table + i) * 4);
                    float sin = cosSin.get(FLOAT, (table + half + i) * 4);
                    float va = x.get(FLOAT, (a + i) * 4);
                    float vb = x.get(FLOAT, (b + i) * 4);
                    x.set(FLOAT, (a + i) * 4, va * cos - vb * sin);
                    x.set(FLOAT, (b + i) * 4, vb * cos + va * sin);
                }
            }
        }
    }

    /** {@code out = gate / (1 + exp(-gate)) * up} for elements {@code [from, to)}. */
    static void siluAndMul(MemorySegment gate, MemorySegment up, MemorySegment out, long from, long to) {
        long i = from;
        for (long bound = to - (to - from) % L; i < bound; i += L) {
            FloatVector g = Vec.f32(gate, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            Vec.storeF32(silu.mul(Vec.f32(up, i)), out, i);
        }
        for (; i < to; i++) {
            float g = gate.get(FLOAT, i * 4);
            out.set(FLOAT, i * 4, g / (1f + (float) Math.exp(-g)) * up.get(FLOAT, i * 4));
        }
    }
}
