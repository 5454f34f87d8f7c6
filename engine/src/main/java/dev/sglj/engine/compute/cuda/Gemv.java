package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;

/**
 * The streaming GEMV of {@code gemv.cu} for linears of at most {@value #MAX_ROWS} rows: each warp owns
 * {@link #rowsPerWarp} output rows and streams their weights with 16-byte loads; K is split between the
 * warps of a block only when there are too few blocks to give every multiprocessor its share.
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

    private Gemv() {
    }

    /** Output rows per warp for {@code m} rows of x (as instantiated in gemv.cu). */
    static int rowsPerWarp(int m) {
        return m == 1 ? 1 : m == 4 ? 4 : 2;
    }

    /** Warps of a block that split K: the fewest (1, 2, 4) that give every SM its blocks. */
    static int split(int m, int outRows, int multiprocessors) {
        int groups = groups(m, outRows);
        int split = 1;
        while (split < WARPS && blocks(groups, split) < BLOCKS_PER_SM * multiprocessors) split *= 2;
        return split;
    }

    /** Launches {@code os = xs · wsᵀ (+ bs)} for {@code xs} of at most {@value #MAX_ROWS} rows, K % 8 == 0. */
    static void launch(Kernels kernels, int multiprocessors, CudaTensor xs, CudaTensor ws, CudaTensor bs,
                       CudaTensor os) {
        int m = Math.toIntExact(xs.rows());
        if (m > MAX_ROWS) throw new IllegalArgumentException("GEMV: " + m + " rows > " + MAX_ROWS);
        int outRows = Math.toIntExact(ws.rows());
        int split = split(m, outRows, multiprocessors);
        kernels.args().ptr(xs.ptr()).ptr(ws.ptr()).ptr(bs == null ? 0 : bs.ptr()).ptr(os.ptr())
                .i32(Math.toIntExact(xs.cols())).i32(outRows).i32(split);
        kernels.launch((os.dtype() == DType.F32 ? "gemv_f32_" : "gemv_bf16_") + m,
                blocks(groups(m, outRows), split), 1, 1, 32 * WARPS, 0);
    }

    private static int groups(int m, int outRows) {
        return (outRows + rowsPerWarp(m) - 1) / rowsPerWarp(m);
    }

    private static int blocks(int groups, int split) {
        int groupsPerBlock = WARPS / split;
        return (groups + groupsPerBlock - 1) / groupsPerBlock;
    }
}
