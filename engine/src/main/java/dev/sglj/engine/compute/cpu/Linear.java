package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.F;
import static dev.sglj.engine.compute.cpu.Vec.FLOAT;
import static dev.sglj.engine.compute.cpu.Vec.L;

import dev.sglj.engine.compute.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code out[n, o] = sum_i x[n, i] * w[o, i] + bias[o]} with x, out F32 and w BF16/F16/F32.
 *
 * <p>One token (decode at batch 1) is bandwidth-bound: each thread streams its share of weight rows,
 * four at a time, converting BF16 in registers (F16 has no vector conversion in the Vector API, so
 * F16 weights always take the blocked path, whose conversion runs once per block). Several tokens reuse each weight row: a thread converts a
 * block of {@link #ROWS} rows x {@link #KB} inputs to F32 once (L1), then runs a 4x4 register tile
 * of (rows x tokens) over it for every token of a block sized by {@link #tokenBlock} (a heap copy that
 * stays in L2). Rows are the outer loop so weights stream sequentially from memory; a batch larger
 * than one block reads the weights once per block.
 */
final class Linear {
    static final int ROWS = 4;
    static final int TOKENS = 4;
    /** Inputs per weight block: 4 rows x 1024 floats = 16 KB of converted weights (L1). */
    static final int KB = 1024;
    /** Bytes of x rows kept (a heap copy) while a thread streams its weight rows past them: about L2, measured. */
    static final long X_BLOCK_BYTES = 2048 << 10;

    /** A thread's converted weight block and copied input block (heap arrays: no per-load memory-session checks). */
    private static final class Scratch {
        final float[] weights = new float[ROWS * KB];
        private float[] inputs = new float[0];
        private float[] token = new float[0];

        float[] inputs(int length) {
            if (inputs.length < length) {
                inputs = new float[length];
            }
            return inputs;
        }

        float[] token(int length) {
            if (token.length < length) {
                token = new float[length];
            }
            return token;
        }
    }

    private static final ThreadLocal<Scratch> BLOCKS = ThreadLocal.withInitial(Scratch::new);

    private Linear() {}

    /**
     * Runs the linear over a weight stored as consecutive row ranges ({@code parts}: one segment for a
     * plain weight, several for a fused one); part i's rows are the output columns after part i-1's.
     * Row groups never straddle two parts, so each part's rows are tiled as if it were alone and the
     * work of all parts is shared by the pool in one pass.
     */
    static void run(WorkPool pool, MemorySegment x, int tokens, int in, DType wType, List<MemorySegment> parts,
                    float[] bias, MemorySegment out) {
        int count = parts.size();
        int[] rows = new int[count];
        int[] firstColumn = new int[count];
        int[] firstGroup = new int[count + 1];
        int outFeatures = 0;
        for (int p = 0; p < count; p++) {
            rows[p] = Math.toIntExact(parts.get(p).byteSize() / wType.bytes() / in);
            firstColumn[p] = outFeatures;
            outFeatures += rows[p];
            firstGroup[p + 1] = firstGroup[p] + (rows[p] + ROWS - 1) / ROWS;
        }
        int stride = outFeatures;
        long costPerGroup = (long) ROWS * in * tokens;
        boolean direct = tokens == 1 && wType != DType.F16;
        pool.forEach(firstGroup[count], costPerGroup, (g0, g1) -> {
            for (int p = 0; p < count; p++) {
                int lo = Math.max(g0, firstGroup[p]);
                int hi = Math.min(g1, firstGroup[p + 1]);
                if (lo >= hi) continue;
                int from = (lo - firstGroup[p]) * ROWS;
                int to = Math.min(rows[p], (hi - firstGroup[p]) * ROWS);
                if (direct) {
                    gemv(x, in, wType, parts.get(p), bias, out, firstColumn[p], from, to);
                } else {
                    gemm(x, tokens, in, wType, parts.get(p), stride, firstColumn[p], bias, out, from, to);
                }
            }
        });
    }

    /** Rows {@code [from, to)} of {@code w} for one token, into output columns {@code column0 + row}. */
    private static void gemv(MemorySegment x, int in, DType wType, MemorySegment w, float[] bias, MemorySegment out,
                             int column0, int from, int to) {
        float[] xs = BLOCKS.get().token(in);
        Vec.toFloats(DType.F32, x, 0, xs, 0, in);
        int r = from;
        float[] sums = new float[ROWS];
        for (; r + ROWS <= to; r += ROWS) {
            switch (wType) {
                case BF16 -> dot4Bf16(xs, w, (long) r * in, in, sums);
                case F32 -> dot4F32(xs, w, (long) r * in, in, sums);
                default -> throw new IllegalArgumentException("linear: no direct kernel for " + wType);
            }
            for (int k = 0; k < ROWS; k++) {
                int c = column0 + r + k;
                out.set(FLOAT, c * 4L, sums[k] + (bias == null ? 0f : bias[c]));
            }
        }
        for (; r < to; r++) {
            float sum = 0f;
            for (int i = 0; i < in; i++) {
                sum += xs[i] * Vec.get(wType, w, (long) r * in + i);
            }
            int c = column0 + r;
            out.set(FLOAT, c * 4L, sum + (bias == null ? 0f : bias[c]));
        }
    }

    private static void dot4Bf16(float[] x, MemorySegment w, long w0, int in, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        int i = 0;
        for (int bound = F.loopBound(in); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            a0 = Vec.bf16(w, w0 + i).fma(xv, a0);
            a1 = Vec.bf16(w, w1 + i).fma(xv, a1);
            a2 = Vec.bf16(w, w2 + i).fma(xv, a2);
            a3 = Vec.bf16(w, w3 + i).fma(xv, a3);
        }
        sums[0] = a0.reduceLanes(VectorOperators.ADD);
        sums[1] = a1.reduceLanes(VectorOperators.ADD);
        sums[2] = a2.reduceLanes(VectorOperators.ADD);
        sums[3] = a3.reduceLanes(VectorOperators.ADD);
        addTails(x, DType.BF16, w, w0, in, i, sums);
    }

    private static void dot4F32(float[] x, MemorySegment w, long w0, int in, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
        int i = 0;
        for (int bound = F.loopBound(in); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            a0 = Vec.f32(w, w0 + i).fma(xv, a0);
            a1 = Vec.f32(w, w1 + i).fma(xv, a1);
            a2 = Vec.f32(w, w2 + i).fma(xv, a2);
            a3 = Vec.f32(w, w3 + i).fma(xv, a3);
        }
        sums[0] = a0.reduceLanes(VectorOperators.ADD);
        sums[1] = a1.reduceLanes(VectorOperators.ADD);
        sums[2] = a2.reduceLanes(VectorOperators.ADD);
        sums[3] = a3.reduceLanes(VectorOperators.ADD);
        addTails(x, DType.F32, w, w0, in, i, sums);
    }

    /** Adds the inputs {@code [from, in)} past the last full vector to the 4 row sums. */
    private static void addTails(float[] x, DType wType, MemorySegment w, long w0, int in, int from, float[] sums) {
        for (int i = from; i < in; i++) {
            for (int k = 0; k < ROWS; k++) {
                sums[k] += x[i] * Vec.get(wType, w, w0 + (long) k * in + i);
            }
        }
    }

    /**
     * Rows {@code [from, to)} of {@code w} for every token, into output columns {@code column0 + row}
     * of rows of {@code stride} columns.
     */
    private static void gemm(MemorySegment x, int tokens, int in, DType wType, MemorySegment w, int stride,
                             int column0, float[] bias, MemorySegment out, int from, int to) {
        int block = tokenBlock(in);
        Scratch scratch = BLOCKS.get();
        float[] ws = scratch.weights;
        float[] xs = scratch.inputs(block * in);
        for (int n0 = 0; n0 < tokens; n0 += block) {
            int n1 = Math.min(tokens, n0 + block);
            for (int n = n0; n < n1; n++) {
                Vec.toFloats(DType.F32, x, (long) n * in, xs, (n - n0) * in, in);
                for (int o = column0 + from; o < column0 + to; o++) {
                    out.set(FLOAT, ((long) n * stride + o) * 4, bias == null ? 0f : bias[o]);
                }
            }
            // rows outermost: each weight row is streamed front to back, as prefetchers like
            for (int r = from; r < to; r += ROWS) {
                int rows = Math.min(ROWS, to - r);
                for (int k0 = 0; k0 < in; k0 += KB) {
                    int len = Math.min(KB, in - k0);
                    for (int k = 0; k < ROWS; k++) {
                        if (k < rows) {
                            Vec.toFloats(wType, w, (long) (r + k) * in + k0, ws, k * KB, len);
                        } else {
                            Arrays.fill(ws, k * KB, k * KB + len, 0f);
                        }
                    }
                    long o0 = column0 + r;
                    int n = n0;
                    for (; n + TOKENS <= n1; n += TOKENS) {
                        tile4x4(ws, xs, (n - n0) * in + k0, in, len, out, (long) n * stride + o0, stride, rows);
                    }
                    for (; n < n1; n++) {
                        tile4x1(ws, xs, (n - n0) * in + k0, len, out, (long) n * stride + o0, rows);
                    }
                }
            }
        }
    }

    /** Tokens per block: as many whole rows of x as fit {@link #X_BLOCK_BYTES}, a multiple of 4 in [4, 64]. */
    static int tokenBlock(int in) {
        int fit = (int) Math.min(64, X_BLOCK_BYTES / (4L * Math.max(1, in)));
        return Math.max(TOKENS, fit - fit % TOKENS);
    }

    /**
     * Adds the products of 4 converted weight rows (stride {@link #KB}) and 4 token rows (stride
     * {@code xStride}) over {@code len} inputs to {@code out}.
     */
    private static void tile4x4(float[] ws, float[] xs, int x0, int xStride, int len, MemorySegment out, long o0,
                                int outStride, int rows) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, ws, i);
            FloatVector w1 = FloatVector.fromArray(F, ws, KB + i);
            FloatVector w2 = FloatVector.fromArray(F, ws, 2 * KB + i);
            FloatVector w3 = FloatVector.fromArray(F, ws, 3 * KB + i);
            FloatVector xv = FloatVector.fromArray(F, xs, x0 + i);
            c00 = w0.fma(xv, c00);
            c10 = w1.fma(xv, c10);
            c20 = w2.fma(xv, c20);
            c30 = w3.fma(xv, c30);
            xv = FloatVector.fromArray(F, xs, x1 + i);
            c01 = w0.fma(xv, c01);
            c11 = w1.fma(xv, c11);
            c21 = w2.fma(xv, c21);
            c31 = w3.fma(xv, c31);
            xv = FloatVector.fromArray(F, xs, x2 + i);
            c02 = w0.fma(xv, c02);
            c12 = w1.fma(xv, c12);
            c22 = w2.fma(xv, c22);
            c32 = w3.fma(xv, c32);
            xv = FloatVector.fromArray(F, xs, x3 + i);
            c03 = w0.fma(xv, c03);
            c13 = w1.fma(xv, c13);
            c23 = w2.fma(xv, c23);
            c33 = w3.fma(xv, c33);
        }
        // reductions written out: a helper taking the vectors would box them when not inlined
        float[] sums = {
            c00.reduceLanes(VectorOperators.ADD), c01.reduceLanes(VectorOperators.ADD),
            c02.reduceLanes(VectorOperators.ADD), c03.reduceLanes(VectorOperators.ADD),
            c10.reduceLanes(VectorOperators.ADD), c11.reduceLanes(VectorOperators.ADD),
            c12.reduceLanes(VectorOperators.ADD), c13.reduceLanes(VectorOperators.ADD),
            c20.reduceLanes(VectorOperators.ADD), c21.reduceLanes(VectorOperators.ADD),
            c22.reduceLanes(VectorOperators.ADD), c23.reduceLanes(VectorOperators.ADD),
            c30.reduceLanes(VectorOperators.ADD), c31.reduceLanes(VectorOperators.ADD),
            c32.reduceLanes(VectorOperators.ADD), c33.reduceLanes(VectorOperators.ADD)};
        addTile(sums, TOKENS, ws, xs, x0, xStride, len, i, out, o0, outStride, rows);
    }

    private static void tile4x1(float[] ws, float[] xs, int x0, int len, MemorySegment out, long o0, int rows) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, xs, x0 + i);
            c0 = FloatVector.fromArray(F, ws, i).fma(xv, c0);
            c1 = FloatVector.fromArray(F, ws, KB + i).fma(xv, c1);
            c2 = FloatVector.fromArray(F, ws, 2 * KB + i).fma(xv, c2);
            c3 = FloatVector.fromArray(F, ws, 3 * KB + i).fma(xv, c3);
        }
        float[] sums = {c0.reduceLanes(VectorOperators.ADD), c1.reduceLanes(VectorOperators.ADD),
            c2.reduceLanes(VectorOperators.ADD), c3.reduceLanes(VectorOperators.ADD)};
        addTile(sums, 1, ws, xs, x0, 0, len, i, out, o0, 0, rows);
    }

    /**
     * Adds a tile's sums ({@code sums[k * tokens + t]} for row k, token t) to {@code out}, first
     * completing each with the inputs {@code [from, len)} past the last full vector.
     */
    private static void addTile(float[] sums, int tokens, float[] ws, float[] xs, int x0, int xStride, int len,
                                int from, MemorySegment out, long o0, int outStride, int rows) {
        for (int k = 0; k < rows; k++) {
            for (int t = 0; t < tokens; t++) {
                float sum = sums[k * tokens + t];
                for (int j = from; j < len; j++) {
                    sum += ws[k * KB + j] * xs[x0 + t * xStride + j];
                }
                long o = (o0 + (long) t * outStride + k) * 4;
                out.set(FLOAT, o, out.get(FLOAT, o) + sum);
            }
        }
    }
}
