package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.F;
import static dev.sglj.engine.compute.cpu.Vec.FLOAT;
import static dev.sglj.engine.compute.cpu.Vec.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row-wise F32 kernels: RMSNorm (plain and fused with the residual add), the q/k/v step (per-head
 * norm, rotary embedding, KV cache writes), SiLU-and-mul.
 */
final class RowOps {
    private RowOps() {}

    /** RMSNorm of each group of {@code weight.length} elements in rows {@code [from, to)} of {@code cols}. */
    static void rmsNorm(MemorySegment x, float[] weight, float eps, MemorySegment out, long cols, int from, int to) {
        int g = weight.length;
        for (long row = from; row < to; row++) {
            for (long start = row * cols; start < (row + 1) * cols; start += g) {
                normGroup(x, start, weight, eps, out, start);
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
                normGroup(residual, g, weight, eps, out, g);
            }
        }
    }

    /** RMSNorm of {@code weight.length} elements of {@code x} from {@code start} into {@code out} from {@code outStart}. */
    private static void normGroup(MemorySegment x, long start, float[] weight, float eps, MemorySegment out,
                                  long outStart) {
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
            Vec.storeF32(Vec.f32(x, start + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)), out, outStart + i);
        }
        for (; i < g; i++) {
            out.set(FLOAT, (outStart + i) * 4, x.get(FLOAT, (start + i) * 4) * inv * weight[i]);
        }
    }

    /**
     * One token's q/k/v step (see {@code Backend.qkvToCache}): from the fused row of {@code qkv} at
     * element {@code src}, the q heads into {@code q} at {@code qAt} and the k heads into
     * {@code kCache} at {@code kvAt}, each normed when its norm weight is given and then rotated by
     * row {@code tableRow} of {@code cosSin}; the v heads copied into {@code vCache} at {@code kvAt}.
     */
    static void qkvToCache(MemorySegment qkv, long src, QkvShape shape, float[] qNorm, float[] kNorm, float eps,
                           MemorySegment cosSin, long tableRow, MemorySegment q, long qAt, MemorySegment kCache,
                           MemorySegment vCache, long kvAt) {
        long qWidth = (long) shape.numHeads() * shape.headDim();
        long kvWidth = (long) shape.numKvHeads() * shape.headDim();
        long table = tableRow * shape.headDim();
        normHeads(qkv, src, shape.numHeads(), qNorm, eps, q, qAt, shape.headDim());
        ropeHeads(q, qAt, shape.numHeads(), shape.headDim(), cosSin, table);
        normHeads(qkv, src + qWidth, shape.numKvHeads(), kNorm, eps, kCache, kvAt, shape.headDim());
        ropeHeads(kCache, kvAt, shape.numKvHeads(), shape.headDim(), cosSin, table);
        MemorySegment.copy(qkv, (src + qWidth + kvWidth) * 4, vCache, kvAt * 4, kvWidth * 4);
    }

    /** Heads, head dimension and their widths in a fused q/k/v row. */
    record QkvShape(int numHeads, int numKvHeads, int headDim) {
        long rowWidth() {
            return (long) (numHeads + 2 * numKvHeads) * headDim;
        }
    }

    /** {@code heads} heads from {@code x} at {@code start} to {@code out} at {@code outStart}: normed, or copied without a weight. */
    private static void normHeads(MemorySegment x, long start, int heads, float[] weight, float eps, MemorySegment out,
                                  long outStart, int headDim) {
        if (weight == null) {
            MemorySegment.copy(x, start * 4, out, outStart * 4, (long) heads * headDim * 4);
            return;
        }
        for (int h = 0; h < heads; h++) {
            normGroup(x, start + (long) h * headDim, weight, eps, out, outStart + (long) h * headDim);
        }
    }

    /**
     * Rotate-half rotary embedding in place of {@code heads} heads of {@code headDim} from element
     * {@code start}, with the cosines and sines at element {@code table} of {@code cosSin}:
     * {@code (a, b) -> (a cos - b sin, b cos + a sin)} for the two halves of each head.
     */
    static void ropeHeads(MemorySegment x, long start, int heads, int headDim, MemorySegment cosSin, long table) {
        int half = headDim / 2;
        int bound = F.loopBound(half);
        for (int h = 0; h < heads; h++) {
            long a = start + (long) h * headDim;
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

    /**
     * {@code out = gate / (1 + exp(-gate)) * up} for rows {@code [from, to)} of {@code gateUp}
     * ({@code 2 * cols} per row: gate, then up) into rows of {@code cols} of {@code out}.
     */
    static void siluAndMul(MemorySegment gateUp, MemorySegment out, long cols, int from, int to) {
        for (long row = from; row < to; row++) {
            long gate = row * 2 * cols;
            long up = gate + cols;
            long o = row * cols;
            long i = 0;
            for (long bound = cols - cols % L; i < bound; i += L) {
                FloatVector g = Vec.f32(gateUp, gate + i);
                FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
                Vec.storeF32(silu.mul(Vec.f32(gateUp, up + i)), out, o + i);
            }
            for (; i < cols; i++) {
                float g = gateUp.get(FLOAT, (gate + i) * 4);
                out.set(FLOAT, (o + i) * 4, g / (1f + (float) Math.exp(-g)) * gateUp.get(FLOAT, (up + i) * 4));
            }
        }
    }
}
