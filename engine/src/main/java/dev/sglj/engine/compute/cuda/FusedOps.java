package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.checkIndices;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.Tensor;

/**
 * Checks and launches of the kernels in {@code fused.cu}, which read the outputs of the fused
 * projections: {@code qkv_to_cache} (one warp per token and head) and {@code gate_up_silu_and_mul}, in
 * BF16 through their vector forms ({@code qkv_to_cache_x2}, {@code gate_up_silu_and_mul_x8}) where the shapes
 * and operand boundaries allow;
 * with F32 activations, their {@code f32_} twins in {@code f32.cu} (same arguments and launch shape).
 */
final class FusedOps {
    /** Largest head dimension {@code qkv_to_cache} handles: 32 lanes x {@code QKV_MAX_PAIRS} rotary pairs x 2. */
    static final int MAX_HEAD_DIM = 256;
    private static final int QKV_WARPS = 4;
    private static final int SILU_THREADS = 256;
    private static final int MAX_GRID_Y = 65_535;

    private FusedOps() {}

    /** qkvToCache's operands, checked: device tensors, the q/k norm pointers (0: none), the token count. */
    record QkvOperands(CudaTensor positions, CudaTensor cosSin, CudaTensor q, CudaTensor kCache, CudaTensor vCache,
                       CudaTensor loc, long qNorm, long kNorm, long tokens) {}

    /** Checks the targets of {@code qkvToCache} for a fused q/k/v row per position. */
    static QkvOperands checkTargets(String op, DType activations, QkvTargets t) {
        CudaTensor qs = check(op, "q", t.q(), activations);
        CudaTensor kc = check(op, "kCache", t.kCache(), activations);
        CudaTensor vc = check(op, "vCache", t.vCache(), activations);
        CudaTensor table = check(op, "cosSin", t.cosSin(), DType.F32);
        CudaTensor pos = check(op, "positions", t.positions(), DType.I32);
        CudaTensor loc = check(op, "outCacheLoc", t.outCacheLoc(), DType.I32);
        int headDim = t.headDim();
        if (headDim <= 0 || headDim % 2 != 0 || headDim > MAX_HEAD_DIM || t.numHeads() <= 0 || t.numKvHeads() <= 0) {
            throw new IllegalArgumentException(op + ": " + t.numHeads() + " q heads and " + t.numKvHeads() + " kv heads"
                    + " must be positive and headDim " + headDim + " even, in [2, " + MAX_HEAD_DIM + "]");
        }
        if ((t.qNorm() == null) != (t.kNorm() == null)) {
            throw new IllegalArgumentException(op + ": qNorm and kNorm must both be given or both be null");
        }
        long tokens = pos.numel();
        long kvWidth = (long) t.numKvHeads() * headDim;
        requireRows(op, qs, tokens, (long) t.numHeads() * headDim);
        requireRows(op, kc, kc.rows(), kvWidth);
        requireRows(op, vc, kc.rows(), kvWidth);
        if (loc.numel() != tokens) {
            throw new IllegalArgumentException(op + ": " + loc.numel() + " outCacheLoc entries for " + tokens
                    + " positions");
        }
        if (table.cols() != headDim) {
            throw new IllegalArgumentException(op + ": cosSin " + table + " must have rows of headDim = " + headDim);
        }
        checkIndices(op, "positions", pos, table.rows());
        checkIndices(op, "outCacheLoc", loc, kc.rows());
        long qn = t.qNorm() == null ? 0 : headNorm(op, "qNorm", t.qNorm(), headDim, activations).ptr();
        long kn = t.kNorm() == null ? 0 : headNorm(op, "kNorm", t.kNorm(), headDim, activations).ptr();
        return new QkvOperands(pos, table, qs, kc, vc, loc, qn, kn, tokens);
    }

    static void qkvToCache(Kernels kernels, DType activations, Tensor qkv, QkvTargets t, float eps) {
        String op = "qkvToCache";
        CudaTensor in = check(op, "qkv", qkv, activations);
        QkvOperands o = checkTargets(op, activations, t);
        requireRows(op, in, o.tokens(), (long) (t.numHeads() + 2 * t.numKvHeads()) * t.headDim());
        if (o.tokens() == 0) return;
        long warps = o.tokens() * (t.numHeads() + 2L * t.numKvHeads());
        kernels.args().ptr(in.ptr()).ptr(o.qNorm()).ptr(o.kNorm()).f32(eps).ptr(o.positions().ptr())
                .ptr(o.cosSin().ptr()).ptr(o.q().ptr()).ptr(o.kCache().ptr()).ptr(o.vCache().ptr()).ptr(o.loc().ptr())
                .i32(Math.toIntExact(o.tokens())).i32(t.numHeads()).i32(t.numKvHeads()).i32(t.headDim());
        boolean pairs = activations == DType.BF16 && t.headDim() % 4 == 0 && o.cosSin().alignedTo(8)
                && in.alignedTo(4) && o.q().alignedTo(4) && o.kCache().alignedTo(4) && o.vCache().alignedTo(4);
        kernels.launch(activations == DType.F32 ? "f32_qkv_to_cache" : pairs ? "qkv_to_cache_x2" : "qkv_to_cache",
                Math.toIntExact((warps + QKV_WARPS - 1) / QKV_WARPS), 1, 1, 32 * QKV_WARPS, 0);
    }

    static void siluAndMul(Kernels kernels, DType activations, Tensor gateUp, Tensor out) {
        CudaTensor gu = check("siluAndMul", "gateUp", gateUp, activations);
        CudaTensor o = check("siluAndMul", "out", out, activations);
        if (gu.cols() % 2 != 0) {
            throw new IllegalArgumentException("siluAndMul: gateUp " + gu + " must have rows of 2 * intermediate");
        }
        int inter = Math.toIntExact(gu.cols() / 2);
        int rows = Math.toIntExact(gu.rows());
        requireRows("siluAndMul", o, rows, inter);
        if (rows == 0 || inter == 0) return;
        kernels.args().ptr(gu.ptr()).ptr(o.ptr()).i32(rows).i32(inter);
        if (activations == DType.BF16 && inter % 8 == 0 && gu.alignedTo(16) && o.alignedTo(16)) {
            kernels.launch("gate_up_silu_and_mul_x8", (inter / 8 + SILU_THREADS - 1) / SILU_THREADS,
                    Math.min(rows, MAX_GRID_Y), 1, SILU_THREADS, 0);
            return;
        }
        int columnBlocks = (inter + SILU_THREADS - 1) / SILU_THREADS;
        kernels.launch(activations == DType.F32 ? "f32_gate_up_silu_and_mul" : "gate_up_silu_and_mul", columnBlocks,
                Math.min(rows, MAX_GRID_Y), 1, SILU_THREADS, 0);
    }

    private static CudaTensor headNorm(String op, String role, Tensor weight, int headDim, DType activations) {
        CudaTensor w = check(op, role, weight, activations);
        if (w.numel() != headDim) {
            throw new IllegalArgumentException(op + ": " + role + " " + w + " must have headDim = " + headDim + " elements");
        }
        return w;
    }
}
