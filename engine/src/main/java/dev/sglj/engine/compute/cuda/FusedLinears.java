package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.bias;
import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.checkIndices;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.Tensor;

/**
 * The decode layer's norms, SiLU-and-mul and RoPE/KV-cache step carried by the GEMV ({@link Gemv}'s fused
 * forms) at BF16 batches of at most {@value #MAX_ROWS} rows: the o and down projections add into the
 * residual and leave its sums of squares; the q/k/v and gate/up projections norm their input from them;
 * q/k/v rotates and stores q, k and v as {@code qkv_to_cache} does, and gate/up multiplies silu(gate) by up
 * before storing. The two RMSNorm launches, the SiLU launch and {@code qkv_to_cache} go from every layer;
 * the embedding leaves its rows' sums of squares too ({@code embedding_residual}), so the first layer needs
 * no RMSNorm launch either, and the final norm rides on lm_head (a normed GEMV with F32 out). The statistics
 * tensor holds two slots of a (whole, fraction) pair of 64-bit integers per row (gemv.cu adds in fixed point,
 * so the sums do not depend on the blocks' order); the residual linears alternate slots, each clearing the
 * other for the next.
 */
final class FusedLinears {
    /**
     * Up to this many rows the fused forms run. Measured on an H100 (scripts/cuda/NOTES.md): batch 1 and 2
     * decode faster with them; at 4 rows the normed GEMV's registers (103 against the plain kernel's 80)
     * cost more than the launches saved.
     */
    static final int MAX_ROWS = 2;
    /** Columns (F32-sized words) of the statistics tensor: two 64-bit integers per row and slot. */
    static final int STATS_COLS = 4;
    private final Kernels kernels;
    private final int multiprocessors;
    private final DType activations;

    FusedLinears(Kernels kernels, int multiprocessors, DType activations) {
        this.kernels = kernels;
        this.multiprocessors = multiprocessors;
        this.activations = activations;
    }

    /** Whether a residual of {@code rows x cols} goes through the fused forms. */
    boolean fusesNorms(long rows, long cols) {
        return activations == DType.BF16 && rows >= 1 && rows <= MAX_ROWS && cols % 8 == 0
                && cols <= Integer.MAX_VALUE;
    }

    /** Rows of the statistics tensor of a residual of {@code rows}: one per slot and row. */
    static long statsRows(long rows) {
        return 2 * rows;
    }

    /**
     * {@code residual[i, :] = table[ids[i], :]}, each row's sum of squares set in {@code slot} of {@code stats}
     * and the other slot cleared, as {@link #intoResidual} leaves them.
     */
    void embedding(Tensor table, Tensor ids, Tensor residual, Tensor stats, int slot) {
        String op = "embeddingIntoResidual";
        CudaTensor tab = check(op, "table", table, activations);
        CudaTensor idx = check(op, "ids", ids, DType.I32);
        CudaTensor rs = check(op, "out", residual, activations);
        requireRows(op, rs, idx.numel(), tab.cols());
        checkIndices(op, "ids", idx, tab.rows());
        CudaTensor st = stats(op, stats, rs);
        kernels.args().ptr(tab.ptr()).ptr(idx.ptr()).ptr(rs.ptr()).i32(Math.toIntExact(rs.cols())).ptr(st.ptr())
                .i32(slot(op, slot));
        kernels.launch("embedding_residual", Math.toIntExact(rs.rows()), 1, 1, CudaBackend.threadsFor(rs.cols()), 0);
    }

    /**
     * {@code residual += x w^T + bias} with the sums of squares into {@code stats}; false (nothing done)
     * where the shapes do not suit the fused form, which the caller then composes.
     */
    boolean intoResidual(Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor stats, int slot) {
        String op = "linearIntoResidual";
        CudaTensor xs = check(op, "x", x, activations);
        CudaTensor ws = check(op, "w", w, activations);
        CudaTensor rs = check(op, "residual", residual, activations);
        if (!fusesNorms(rs.rows(), rs.cols()) || xs.cols() % 8 != 0 || ws.shape().length != 2 || ws.cols() != xs.cols()) {
            return false;
        }
        requireRows(op, rs, xs.rows(), ws.rows());
        CudaTensor bs = bias == null ? null : bias(op, bias, ws, activations);
        Gemv.launchIntoResidual(kernels, multiprocessors, xs, ws, bs, rs, stats(op, stats, rs), slot(op, slot));
        return true;
    }

    /**
     * {@code out = rmsNorm(residual) w^T + bias}, the residual and stats as {@link #intoResidual} left them;
     * {@code out} BF16 or F32 (the final norm and lm_head).
     */
    void normed(Tensor residual, Tensor stats, int slot, Tensor normWeight, float eps, Tensor w, Tensor bias,
                Tensor out) {
        String op = "normedLinear";
        CudaTensor rs = check(op, "residual", residual, activations);
        CudaTensor ws = check(op, "w", w, activations);
        CudaTensor os = check(op, "out", out, DType.BF16, DType.F32);
        if (ws.shape().length != 2 || ws.cols() != rs.cols()) {
            throw new IllegalArgumentException(op + ": weight " + ws + " must be [out, " + rs.cols() + "] for " + rs);
        }
        requireRows(op, os, rs.rows(), ws.rows());
        CudaTensor bs = bias == null ? null : bias(op, bias, ws, activations);
        Gemv.launchNormed(kernels, multiprocessors, rs, stats(op, stats, rs), slot(op, slot),
                normWeight(op, normWeight, rs), eps, ws, bs, os);
    }

    /**
     * {@code qkvToCache(rmsNorm(residual) qkv^T + bias)} into {@code t} (without q/k norms): the GEMV's warps
     * own RoPE pairs and write q and the caches themselves.
     */
    void normedQkvToCache(Tensor residual, Tensor stats, int slot, Tensor normWeight, float eps, Tensor qkv,
                          Tensor bias, QkvTargets t) {
        String op = "normedQkvToCache";
        CudaTensor rs = check(op, "residual", residual, activations);
        CudaTensor ws = check(op, "qkvWeight", qkv, activations);
        FusedOps.QkvOperands o = FusedOps.checkTargets(op, activations, t);
        if (t.qNorm() != null) throw new IllegalArgumentException(op + ": q/k norms are not fused");
        long rows = (long) (t.numHeads() + 2 * t.numKvHeads()) * t.headDim();
        if (ws.shape().length != 2 || ws.cols() != rs.cols() || ws.rows() != rows) {
            throw new IllegalArgumentException(op + ": weight " + ws + " must be [" + rows + ", " + rs.cols() + "] for "
                    + rs);
        }
        if (o.tokens() != rs.rows()) {
            throw new IllegalArgumentException(op + ": " + o.tokens() + " positions for " + rs.rows() + " rows");
        }
        CudaTensor bs = bias == null ? null : bias(op, bias, ws, activations);
        Gemv.launchNormedQkvToCache(kernels, multiprocessors, rs, stats(op, stats, rs), slot(op, slot),
                normWeight(op, normWeight, rs), eps, ws, bs, t, o);
    }

    /** {@code out = siluAndMul(rmsNorm(residual) gateUp^T)} over the row-stacked gate/up weight. */
    void normedSiluAndMul(Tensor residual, Tensor stats, int slot, Tensor normWeight, float eps, Tensor gateUp,
                          Tensor out) {
        String op = "normedGateUpSiluAndMul";
        CudaTensor rs = check(op, "residual", residual, activations);
        CudaTensor ws = check(op, "gateUpWeight", gateUp, activations);
        CudaTensor os = check(op, "out", out, activations);
        if (ws.shape().length != 2 || ws.cols() != rs.cols() || ws.rows() % 2 != 0) {
            throw new IllegalArgumentException(op + ": weight " + ws + " must be [2 * inter, " + rs.cols() + "] for "
                    + rs);
        }
        requireRows(op, os, rs.rows(), ws.rows() / 2);
        Gemv.launchNormedSiluAndMul(kernels, multiprocessors, rs, stats(op, stats, rs), slot(op, slot),
                normWeight(op, normWeight, rs), eps, ws, os);
    }

    private CudaTensor stats(String op, Tensor stats, CudaTensor residual) {
        CudaTensor st = check(op, "stats", stats, DType.F32);
        if (!fusesNorms(residual.rows(), residual.cols())) {
            throw new IllegalArgumentException(op + ": residual " + residual + " is not one the fused norms serve");
        }
        requireRows(op, st, statsRows(residual.rows()), STATS_COLS);
        return st;
    }

    private static int slot(String op, int slot) {
        if (slot != 0 && slot != 1) throw new IllegalArgumentException(op + ": statistics slot " + slot + " is not 0 or 1");
        return slot;
    }

    private CudaTensor normWeight(String op, Tensor weight, CudaTensor residual) {
        CudaTensor w = check(op, "normWeight", weight, activations);
        if (w.numel() != residual.cols()) {
            throw new IllegalArgumentException(op + ": norm weight " + w + " must have the " + residual.cols()
                    + " elements of a row of " + residual);
        }
        return w;
    }
}
