package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.QkvTargets;

/**
 * The streaming GEMV of {@code gemv.cu} for linears of at most {@value #MAX_ROWS} rows: each warp owns
 * {@link #rowsPerWarp} output rows and streams their weights with 16-byte loads; K is split between the
 * warps of a block only when there are too few blocks to give every multiprocessor its share. Its fused
 * forms ({@link #launchIntoResidual}, {@link #launchNormed}, {@link #launchNormedSiluAndMul}) carry a
 * decode layer's RMSNorms and SiLU-and-mul: the residual form adds each row's sum of squares into a
 * statistics slot, which the normed forms read. Every form is launched as a programmatic dependent of the
 * kernel before it (PDL): its first weights stream while that kernel drains (gemv.cu waits before it
 * reads its input or writes anything).
 */
final class Gemv {
    /**
     * Up to this many rows, linear runs this kernel: on an H100 it matches or beats cuBLAS there on the
     * 8B shapes, and loses at 8 (scripts/cuda/NOTES.md).
     */
    static final int MAX_ROWS = 4;
    /** Warps per block (GEMV_WARPS in gemv.cu). */
    private static final int WARPS = 4;
    /** Blocks wanted per multiprocessor before K is split between the warps of a block. */
    private static final int BLOCKS_PER_SM = 4;
    /**
     * The same for the q/k/v GEMV at one row. Its dependent, the decode attention, is launched plainly and
     * starts only when the last warp is done, so a shorter tail pays there; at two rows, and for o and down
     * (whose dependents overlap their tails), the split costs more than it saves (scripts/cuda/NOTES.md).
     */
    private static final int QKV_BLOCKS_PER_SM_AT_ONE_ROW = 16;

    private Gemv() {
    }

    /** Output rows per warp for {@code m} rows of x (as instantiated in gemv.cu). */
    static int rowsPerWarp(int m) {
        return m == 1 ? 1 : m == 4 ? 4 : 2;
    }

    /** Warps of a block that split K: the fewest (1, 2, 4) that give every SM its blocks. */
    static int split(int m, int outRows, int multiprocessors) {
        return split(groups(m, outRows), BLOCKS_PER_SM * multiprocessors);
    }

    private static int split(int groups, int blocksWanted) {
        int split = 1;
        while (split < WARPS && blocks(groups, split) < blocksWanted) split *= 2;
        return split;
    }

    /** Launches {@code os = xs · wsᵀ (+ bs)} for {@code xs} of at most {@value #MAX_ROWS} rows, K % 8 == 0. */
    static void launch(Kernels kernels, int multiprocessors, CudaTensor xs, CudaTensor ws, CudaTensor bs,
                       CudaTensor os) {
        int m = rows(xs);
        int outRows = Math.toIntExact(ws.rows());
        int split = split(m, outRows, multiprocessors);
        args(kernels, xs, ws, bs, os, outRows, split);
        kernels.launchDependent((os.dtype() == DType.F32 ? "gemv_f32_" : "gemv_bf16_") + m,
                blocks(groups(m, outRows), split), 32 * WARPS);
    }

    /**
     * {@code residual += round(xs · wsᵀ + bs)} (BF16, rounded as a BF16 linear then add_rms_norm's add), the
     * rows' sums of squares added into {@code slot} of {@code stats} and the other slot cleared.
     */
    static void launchIntoResidual(Kernels kernels, int multiprocessors, CudaTensor xs, CudaTensor ws, CudaTensor bs,
                                   CudaTensor residual, CudaTensor stats, int slot) {
        int m = rows(xs);
        int outRows = Math.toIntExact(ws.rows());
        int split = split(m, outRows, multiprocessors);
        args(kernels, xs, ws, bs, residual, outRows, split).ptr(stats.ptr()).i32(slot);
        kernels.launchDependent("gemv_residual_" + m, blocks(groups(m, outRows), split), 32 * WARPS);
    }

    /**
     * {@code os = rmsNorm(residual) · wsᵀ + bs} (BF16 or F32 {@code os}) for the residual a {@link
     * #launchIntoResidual} of the same rows wrote, with the sums of squares it left in {@code slot} of
     * {@code stats}.
     */
    static void launchNormed(Kernels kernels, int multiprocessors, CudaTensor residual, CudaTensor stats, int slot,
                             CudaTensor normWeight, float eps, CudaTensor ws, CudaTensor bs, CudaTensor os) {
        int m = rows(residual);
        int outRows = Math.toIntExact(ws.rows());
        int split = split(m, outRows, multiprocessors);
        args(kernels, residual, ws, bs, os, outRows, split).ptr(stats.ptr()).i32(slot).ptr(normWeight.ptr()).f32(eps);
        kernels.launchDependent((os.dtype() == DType.F32 ? "gemv_normed_f32_" : "gemv_normed_") + m,
                blocks(groups(m, outRows), split), 32 * WARPS);
    }

    /**
     * {@code os = siluAndMul(rmsNorm(residual) · gateUpᵀ)} over the row-stacked gate/up weight ({@code [2 *
     * inter, K]}): a warp owns gate rows and the same up rows, so the product never leaves it.
     */
    static void launchNormedSiluAndMul(Kernels kernels, int multiprocessors, CudaTensor residual, CudaTensor stats,
                                       int slot, CudaTensor normWeight, float eps, CudaTensor gateUp, CudaTensor os) {
        int m = rows(residual);
        int weightRows = Math.toIntExact(gateUp.rows());
        int groups = pairGroups(m, weightRows);
        int split = split(groups, BLOCKS_PER_SM * multiprocessors);
        kernels.args().ptr(residual.ptr()).ptr(gateUp.ptr()).ptr(os.ptr()).i32(Math.toIntExact(residual.cols()))
                .i32(weightRows).i32(split).ptr(stats.ptr()).i32(slot).ptr(normWeight.ptr()).f32(eps);
        kernels.launchDependent("gemv_normed_silu_" + m, blocks(groups, split), 32 * WARPS);
    }

    /** Warp groups of the paired forms: a warp owns at least one pair of weight rows. */
    private static int pairGroups(int m, int weightRows) {
        int pairsPerWarp = Math.max(1, rowsPerWarp(m) / 2);
        return (weightRows / 2 + pairsPerWarp - 1) / pairsPerWarp;
    }

    /** Warps of a block that split K in the q/k/v GEMV. */
    static int qkvSplit(int m, int weightRows, int multiprocessors) {
        int perSm = m == 1 ? QKV_BLOCKS_PER_SM_AT_ONE_ROW : BLOCKS_PER_SM;
        return split(pairGroups(m, weightRows), perSm * multiprocessors);
    }

    /**
     * {@code qkvToCache(rmsNorm(residual) · wsᵀ + bs)} into {@code t}'s q rows and cache slots ({@code o}, its
     * checked operands): a warp owns the RoPE pair (i, i + headDim / 2) of a head.
     */
    static void launchNormedQkvToCache(Kernels kernels, int multiprocessors, CudaTensor residual, CudaTensor stats,
                                       int slot, CudaTensor normWeight, float eps, CudaTensor ws, CudaTensor bs,
                                       QkvTargets t, FusedOps.QkvOperands o) {
        int m = rows(residual);
        int weightRows = Math.toIntExact(ws.rows());
        int split = qkvSplit(m, weightRows, multiprocessors);
        kernels.args().ptr(residual.ptr()).ptr(ws.ptr()).ptr(bs == null ? 0 : bs.ptr())
                .i32(Math.toIntExact(residual.cols())).i32(weightRows).i32(split).ptr(stats.ptr()).i32(slot)
                .ptr(normWeight.ptr()).f32(eps).ptr(o.positions().ptr()).ptr(o.cosSin().ptr()).ptr(o.q().ptr())
                .ptr(o.kCache().ptr()).ptr(o.vCache().ptr()).ptr(o.loc().ptr()).i32(t.numHeads()).i32(t.numKvHeads())
                .i32(t.headDim());
        kernels.launchDependent("gemv_normed_qkv_" + m, blocks(pairGroups(m, weightRows), split), 32 * WARPS);
    }

    private static int rows(CudaTensor xs) {
        int m = Math.toIntExact(xs.rows());
        if (m < 1 || m > MAX_ROWS) throw new IllegalArgumentException("GEMV: " + m + " rows, not in [1, " + MAX_ROWS + "]");
        return m;
    }

    private static Kernels args(Kernels kernels, CudaTensor xs, CudaTensor ws, CudaTensor bs, CudaTensor os,
                                     int outRows, int split) {
        return kernels.args().ptr(xs.ptr()).ptr(ws.ptr()).ptr(bs == null ? 0 : bs.ptr()).ptr(os.ptr())
                .i32(Math.toIntExact(xs.cols())).i32(outRows).i32(split);
    }

    private static int groups(int m, int outRows) {
        return (outRows + rowsPerWarp(m) - 1) / rowsPerWarp(m);
    }

    private static int blocks(int groups, int split) {
        int groupsPerBlock = WARPS / split;
        return (groups + groupsPerBlock - 1) / groupsPerBlock;
    }
}
