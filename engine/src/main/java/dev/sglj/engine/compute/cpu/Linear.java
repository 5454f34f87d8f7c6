package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.F;
import static dev.sglj.engine.compute.cpu.Vec.FLOAT;
import static dev.sglj.engine.compute.cpu.Vec.L;

import dev.sglj.engine.compute.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code out[n, o] = sum_i x[n, i] * w[o, i] + bias[o]} with x, out F32 and w BF16/F16/F32.
 *
 * <p>One token (decode at batch 1) is bandwidth-bound: each thread streams its share of weight rows,
 * four at a time, converting BF16 in registers (F16 has no vector conversion in the Vector API, so
 * F16 weights always take the blocked path, whose conversion runs once per block). Several tokens reuse each weight row: a thread converts a
 * block of {@link #ROWS} rows x {@link #KB} inputs to F32 once, then runs a 4x4 register tile of
 * (rows x tokens) over it for every token of a block of {@link #NB}; x block and converted weights
 * stay in cache.
 */
final class Linear {
    static final int ROWS = 4;
    static final int TOKENS = 4;
    /** Inputs per weight block: 4 rows x 1024 floats = 16 KB of converted weights (L1). */
    static final int KB = 1024;
    /** Tokens per block: 64 x 1024 floats = 256 KB of x (L2). */
    static final int NB = 64;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[ROWS * KB]);

    private Linear() {}

    static void run(WorkPool pool, MemorySegment x, int tokens, int in, DType wType, MemorySegment w, int outFeatures,
                    float[] bias, MemorySegment out) {
        int groups = (outFeatures + ROWS - 1) / ROWS;
        long costPerGroup = (long) ROWS * in * tokens;
        if (tokens == 1 && wType != DType.F16) {
            pool.forEach(groups, costPerGroup, (g0, g1) ->
                    gemv(x, in, wType, w, outFeatures, bias, out, g0 * ROWS, Math.min(outFeatures, g1 * ROWS)));
        } else {
            pool.forEach(groups, costPerGroup, (g0, g1) ->
                    gemm(x, tokens, in, wType, w, outFeatures, bias, out, g0 * ROWS, Math.min(outFeatures, g1 * ROWS)));
        }
    }

    private static void gemv(MemorySegment x, int in, DType wType, MemorySegment w, int outFeatures, float[] bias,
                             MemorySegment out, int from, int to) {
        int r = from;
        float[] sums = new float[ROWS];
        for (; r + ROWS <= to; r += ROWS) {
            switch (wType) {
                case BF16 -> dot4Bf16(x, w, (long) r * in, in, sums);
                case F32 -> dot4F32(x, w, (long) r * in, in, sums);
                default -> throw new IllegalArgumentException("linear: no direct kernel for " + wType);
            }
            for (int k = 0; k < ROWS; k++) {
                out.set(FLOAT, (r + k) * 4L, sums[k] + (bias == null ? 0f : bias[r + k]));
            }
        }
        for (; r < to; r++) {
            float sum = dotRow(x, 0, wType, w, (long) r * in, in);
            out.set(FLOAT, r * 4L, sum + (bias == null ? 0f : bias[r]));
        }
    }

    private static void dot4Bf16(MemorySegment x, MemorySegment w, long w0, int in, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        int i = 0;
        for (int bound = F.loopBound(in); i < bound; i += L) {
            FloatVector xv = Vec.f32(x, i);
            a0 = Vec.bf16(w, w0 + i).fma(xv, a0);
            a1 = Vec.bf16(w, w1 + i).fma(xv, a1);
            a2 = Vec.bf16(w, w2 + i).fma(xv, a2);
            a3 = Vec.bf16(w, w3 + i).fma(xv, a3);
        }
        finish4(x, DType.BF16, w, w0, in, i, a0, a1, a2, a3, sums);
    }

    private static void dot4F32(MemorySegment x, MemorySegment w, long w0, int in, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        int i = 0;
        for (int bound = F.loopBound(in); i < bound; i += L) {
            FloatVector xv = Vec.f32(x, i);
            a0 = Vec.f32(w, w0 + i).fma(xv, a0);
            a1 = Vec.f32(w, w1 + i).fma(xv, a1);
            a2 = Vec.f32(w, w2 + i).fma(xv, a2);
            a3 = Vec.f32(w, w3 + i).fma(xv, a3);
        }
        finish4(x, DType.F32, w, w0, in, i, a0, a1, a2, a3, sums);
    }

    private static void finish4(MemorySegment x, DType wType, MemorySegment w, long w0, int in, int tail,
                                FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] sums) {
        sums[0] = a0.reduceLanes(VectorOperators.ADD);
        sums[1] = a1.reduceLanes(VectorOperators.ADD);
        sums[2] = a2.reduceLanes(VectorOperators.ADD);
        sums[3] = a3.reduceLanes(VectorOperators.ADD);
        for (int i = tail; i < in; i++) {
            float xi = x.get(FLOAT, i * 4L);
            for (int k = 0; k < ROWS; k++) {
                sums[k] += xi * Vec.get(wType, w, w0 + (long) k * in + i);
            }
        }
    }

    /** One weight row against one token (row tails); converts through the scratch. */
    private static float dotRow(MemorySegment x, long xElement, DType wType, MemorySegment w, long wElement, int in) {
        float[] row = SCRATCH.get();
        float sum = 0f;
        for (int k0 = 0; k0 < in; k0 += row.length) {
            int len = Math.min(row.length, in - k0);
            Vec.toFloats(wType, w, wElement + k0, row, 0, len);
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (int bound = F.loopBound(len); i < bound; i += L) {
                acc = FloatVector.fromArray(F, row, i).fma(Vec.f32(x, xElement + k0 + i), acc);
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
            for (; i < len; i++) {
                sum += row[i] * x.get(FLOAT, (xElement + k0 + i) * 4);
            }
        }
        return sum;
    }

    private static void gemm(MemorySegment x, int tokens, int in, DType wType, MemorySegment w, int outFeatures,
                             float[] bias, MemorySegment out, int from, int to) {
        float[] ws = SCRATCH.get();
        for (int n0 = 0; n0 < tokens; n0 += NB) {
            int n1 = Math.min(tokens, n0 + NB);
            for (int n = n0; n < n1; n++) {
                for (int o = from; o < to; o++) {
                    out.set(FLOAT, ((long) n * outFeatures + o) * 4, bias == null ? 0f : bias[o]);
                }
            }
            for (int k0 = 0; k0 < in; k0 += KB) {
                int len = Math.min(KB, in - k0);
                for (int r = from; r < to; r += ROWS) {
                    int rows = Math.min(ROWS, to - r);
                    for (int k = 0; k < ROWS; k++) {
                        if (k < rows) {
                            Vec.toFloats(wType, w, (long) (r + k) * in + k0, ws, k * KB, len);
                        } else {
                            Arrays.fill(ws, k * KB, k * KB + len, 0f);
                        }
                    }
                    int n = n0;
                    for (; n + TOKENS <= n1; n += TOKENS) {
                        tile4x4(ws, len, x, (long) n * in + k0, in, out, (long) n * outFeatures + r, outFeatures, rows);
                    }
                    for (; n < n1; n++) {
                        tile4x1(ws, len, x, (long) n * in + k0, out, (long) n * outFeatures + r, rows);
                    }
                }
            }
        }
    }

    /** Adds the 4 rows x 4 tokens partial products over {@code len} inputs to {@code out}. */
    private static void tile4x4(float[] ws, int len, MemorySegment x, long x0, int in, MemorySegment out, long o0,
                                int outStride, int rows) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        long x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, ws, i);
            FloatVector w1 = FloatVector.fromArray(F, ws, KB + i);
            FloatVector w2 = FloatVector.fromArray(F, ws, 2 * KB + i);
            FloatVector w3 = FloatVector.fromArray(F, ws, 3 * KB + i);
            FloatVector xv = Vec.f32(x, x0 + i);
            c00 = w0.fma(xv, c00);
            c10 = w1.fma(xv, c10);
            c20 = w2.fma(xv, c20);
            c30 = w3.fma(xv, c30);
            xv = Vec.f32(x, x1 + i);
            c01 = w0.fma(xv, c01);
            c11 = w1.fma(xv, c11);
            c21 = w2.fma(xv, c21);
            c31 = w3.fma(xv, c31);
            xv = Vec.f32(x, x2 + i);
            c02 = w0.fma(xv, c02);
            c12 = w1.fma(xv, c12);
            c22 = w2.fma(xv, c22);
            c32 = w3.fma(xv, c32);
            xv = Vec.f32(x, x3 + i);
            c03 = w0.fma(xv, c03);
            c13 = w1.fma(xv, c13);
            c23 = w2.fma(xv, c23);
            c33 = w3.fma(xv, c33);
        }
        Tail tail = new Tail(ws, len, i, x, x0, in, out, o0, outStride, rows);
        tail.add(c00, 0, 0);
        tail.add(c01, 0, 1);
        tail.add(c02, 0, 2);
        tail.add(c03, 0, 3);
        tail.add(c10, 1, 0);
        tail.add(c11, 1, 1);
        tail.add(c12, 1, 2);
        tail.add(c13, 1, 3);
        tail.add(c20, 2, 0);
        tail.add(c21, 2, 1);
        tail.add(c22, 2, 2);
        tail.add(c23, 2, 3);
        tail.add(c30, 3, 0);
        tail.add(c31, 3, 1);
        tail.add(c32, 3, 2);
        tail.add(c33, 3, 3);
    }

    private static void tile4x1(float[] ws, int len, MemorySegment x, long x0, MemorySegment out, long o0, int rows) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector xv = Vec.f32(x, x0 + i);
            c0 = FloatVector.fromArray(F, ws, i).fma(xv, c0);
            c1 = FloatVector.fromArray(F, ws, KB + i).fma(xv, c1);
            c2 = FloatVector.fromArray(F, ws, 2 * KB + i).fma(xv, c2);
            c3 = FloatVector.fromArray(F, ws, 3 * KB + i).fma(xv, c3);
        }
        Tail tail = new Tail(ws, len, i, x, x0, 0, out, o0, 0, rows);
        tail.add(c0, 0, 0);
        tail.add(c1, 1, 0);
        tail.add(c2, 2, 0);
        tail.add(c3, 3, 0);
    }

    /** Finishes one (row k, token t) sum of a tile: lanes, scalar tail of the block, add into out. */
    private record Tail(float[] ws, int len, int from, MemorySegment x, long x0, int in, MemorySegment out, long o0,
                        int outStride, int rows) {
        void add(FloatVector c, int k, int t) {
            if (k >= rows) {
                return;
            }
            float sum = c.reduceLanes(VectorOperators.ADD);
            long xt = x0 + (long) t * in;
            for (int j = from; j < len; j++) {
                sum += ws[k * KB + j] * x.get(FLOAT, (xt + j) * 4);
            }
            long o = (o0 + (long) t * outStride + k) * 4;
            out.set(FLOAT, o, out.get(FLOAT, o) + sum);
        }
    }
}
