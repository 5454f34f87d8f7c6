package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.checkIndices;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;

/**
 * Checks and launches of the kernels in {@code fused.cu}, which read the outputs of the fused
 * projections: {@code qkv_to_cache} (one warp per token and head) and {@code gate_up_silu_and_mul};
 * with F32 activations, their {@code f32_} twins in {@code f32.cu} (same arguments and launch shape).
 */
final class FusedOps {
    /** Largest head dimension {@code qkv_to_cache} handles: 32 lanes x {@code QKV_MAX_PAIRS} rotary pairs x 2. */
    static final int MAX_HEAD_DIM = 256;
    private static final int QKV_WARPS = 4;
    private static final int SILU_THREADS = 256;
    private static final int MAX_GRID_Y = 65_535;

    private FusedOps() {}

    static void qkvToCache(Kernels kernels, DType activations, Tensor qkv, int numHeads, int numKvHeads, int headDim,
                           Tensor qNorm, Tensor kNorm, float eps, Tensor positions, Tensor cosSin, Tensor q,
                           Tensor kCache, Tensor vCache, Tensor outCacheLoc) {
        String op = "qkvToCache";
        CudaTensor in = check(op, "qkv", qkv, activations);
        CudaTensor qs = check(op, "q", q, activations);
        CudaTensor kc = check(op, "kCache", kCache, activations);
        CudaTensor vc = check(op, "vCache", vCache, activations);
        CudaTensor table = check(op, "cosSin", cosSin, DType.F32);
        CudaTensor pos = check(op, "positions", positions, DType.I32);
        CudaTensor loc = check(op, "outCacheLoc", outCacheLoc, DType.I32);
        if (headDim <= 0 || headDim % 2 != 0 || headDim > MAX_HEAD_DIM || numHeads <= 0 || numKvHeads <= 0) {
            throw new IllegalArgumentException(op + ": " + numHeads + " q heads and " + numKvHeads + " kv heads must be"
                    + " positive and headDim " + headDim + " even, in [2, " + MAX_HEAD_DIM + "]");
        }
        if ((qNorm == null) != (kNorm == null)) {
            throw new IllegalArgumentException(op + ": qNorm and kNorm must both be given or both be null");
        }
        long tokens = pos.numel();
        long kvWidth = (long) numKvHeads * headDim;
        requireRows(op, in, tokens, (long) (numHeads + 2 * numKvHeads) * headDim);
        requireRows(op, qs, tokens, (long) numHeads * headDim);
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
        long qn = qNorm == null ? 0 : headNorm(op, "qNorm", qNorm, headDim, activations).ptr();
        long kn = kNorm == null ? 0 : headNorm(op, "kNorm", kNorm, headDim, activations).ptr();
        if (tokens == 0) return;
        long warps = tokens * (numHeads + 2L * numKvHeads);
        kernels.args().ptr(in.ptr()).ptr(qn).ptr(kn).f32(eps).ptr(pos.ptr()).ptr(table.ptr()).ptr(qs.ptr())
                .ptr(kc.ptr()).ptr(vc.ptr()).ptr(loc.ptr()).i32(Math.toIntExact(tokens)).i32(numHeads).i32(numKvHeads)
                .i32(headDim);
        kernels.launch(activations == DType.F32 ? "f32_qkv_to_cache" : "qkv_to_cache",
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
        int columnBlocks = (inter + SILU_THREADS - 1) / SILU_THREADS;
        kernels.args().ptr(gu.ptr()).ptr(o.ptr()).i32(rows).i32(inter);
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
