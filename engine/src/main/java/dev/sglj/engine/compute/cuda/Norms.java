package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.normWeight;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;

/**
 * Checks and launches of the RMSNorm kernels in {@code elementwise.cu}: {@code rms_norm} (per row or per
 * head) and {@code add_rms_norm} (the residual add first), in BF16 through {@code add_rms_norm_x8} (16-byte
 * accesses) where the rows allow; with F32 activations, their {@code f32_} twins in {@code f32.cu}.
 */
final class Norms {
    /** The 8-column vectors an {@code add_rms_norm_x8} thread holds at most ({@code ADD_NORM_VECTORS} in elementwise.cu). */
    static final int ADD_NORM_VECTORS = 4;

    private Norms() {}

    static void rmsNorm(Kernels kernels, DType activations, Tensor x, Tensor weight, float eps, Tensor out) {
        CudaTensor xs = check("rmsNorm", "x", x, activations);
        CudaTensor os = check("rmsNorm", "out", out, activations);
        CudaTensor w = normWeight("rmsNorm", weight, xs, activations);
        requireRows("rmsNorm", os, xs.rows(), xs.cols());
        long groups = xs.numel() / w.numel();
        if (groups == 0) return;
        kernels.args().ptr(xs.ptr()).ptr(w.ptr()).f32(eps).ptr(os.ptr()).i32((int) w.numel());
        kernels.launch(activations == DType.F32 ? "f32_rms_norm" : "rms_norm", Math.toIntExact(groups), 1, 1,
                CudaBackend.threadsFor(w.numel()), 0);
    }

    static void addRmsNorm(Kernels kernels, DType activations, Tensor x, Tensor residual, Tensor weight, float eps,
                           Tensor out) {
        CudaTensor xs = check("addRmsNorm", "x", x, activations);
        CudaTensor rs = check("addRmsNorm", "residual", residual, activations);
        CudaTensor os = check("addRmsNorm", "out", out, activations);
        CudaTensor w = normWeight("addRmsNorm", weight, xs, activations);
        if (w.numel() != xs.cols()) {
            throw new IllegalArgumentException("addRmsNorm: weight " + w + " must have the " + xs.cols()
                    + " elements of a row of x " + xs);
        }
        requireRows("addRmsNorm", rs, xs.rows(), xs.cols());
        requireRows("addRmsNorm", os, xs.rows(), xs.cols());
        if (xs.rows() == 0) return;
        kernels.args().ptr(xs.ptr()).ptr(rs.ptr()).ptr(w.ptr()).f32(eps).ptr(os.ptr()).i32((int) xs.cols());
        int rows = Math.toIntExact(xs.rows());
        int vectorThreads = activations == DType.BF16 ? addNormVectorThreads(xs.cols(), xs, rs, w, os) : 0;
        if (vectorThreads > 0) {
            kernels.launch("add_rms_norm_x8", rows, 1, 1, vectorThreads, 0);
        } else {
            kernels.launch(activations == DType.F32 ? "f32_add_rms_norm" : "add_rms_norm", rows, 1, 1,
                    CudaBackend.threadsFor(xs.cols()), 0);
        }
    }

    /**
     * Threads of an {@code add_rms_norm_x8} block for rows of {@code cols} BF16 elements (two 8-column vectors
     * a thread where the row allows), or 0 where the rows do not suit its 16-byte accesses: columns not a
     * multiple of 8, an operand off a 16-byte boundary, or more vectors than a block's registers hold.
     */
    static int addNormVectorThreads(long cols, CudaTensor... operands) {
        if (cols % 8 != 0 || cols / 8 > (long) ADD_NORM_VECTORS * 1024) return 0;
        for (CudaTensor t : operands) {
            if (!t.alignedTo(16)) return 0;
        }
        return CudaBackend.threadsFor((cols / 8 + 1) / 2);
    }
}
