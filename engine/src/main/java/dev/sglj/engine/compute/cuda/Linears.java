package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.bias;
import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;

/**
 * {@code out = x w^T + bias} on the backend's stream, by the path that suits the rows: the streaming GEMV
 * kernel ({@link Gemv}) for at most {@value Gemv#MAX_ROWS} rows with K % 8 == 0, cuBLAS above (BF16 in, F32
 * accumulation), cuBLAS SGEMM without TF32 for F32 activations (no GEMV there); a bias is a kernel after
 * cuBLAS and part of the GEMV.
 */
final class Linears {
    private final Kernels kernels;
    private final Cublas cublas;
    /** BF16's cuBLAS linears by per-shape plan; null for F32, whose SGEMM is not tuned. */
    private final GemmTuner gemms;
    private final int multiprocessors;
    private final DType activations;

    Linears(Kernels kernels, Cublas cublas, GemmTuner gemms, int multiprocessors, DType activations) {
        this.kernels = kernels;
        this.cublas = cublas;
        this.gemms = gemms;
        this.multiprocessors = multiprocessors;
        this.activations = activations;
    }

    void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        CudaTensor xs = check("linear", "x", x, activations);
        CudaTensor ws = check("linear", "w", w, activations);
        CudaTensor os = activations == DType.F32 ? check("linear", "out", out, DType.F32)
                : check("linear", "out", out, DType.BF16, DType.F32);
        if (ws.shape().length != 2 || ws.cols() != xs.cols()) {
            throw new IllegalArgumentException("linear: weight " + ws + " must be [out, " + xs.cols() + "] for x " + xs);
        }
        requireRows("linear", os, xs.rows(), ws.rows());
        CudaTensor bs = bias == null ? null : bias("linear", bias, ws, activations);
        if (xs.rows() == 0) return;
        if (activations == DType.F32) {
            sgemm(xs, ws, bs, os);
        } else if (xs.rows() <= Gemv.MAX_ROWS && xs.cols() % 8 == 0) {
            gemv(xs, ws, bs, os);
        } else {
            gemm(xs, ws, bs, os);
        }
    }

    /** The streaming GEMV kernel ({@link Gemv}; rows of x <= {@value Gemv#MAX_ROWS}, K % 8 == 0). */
    void gemv(CudaTensor xs, CudaTensor ws, CudaTensor bs, CudaTensor os) {
        Gemv.launch(kernels, multiprocessors, xs, ws, bs, os);
    }

    /** cuBLAS GEMM (BF16 in, F32 accumulate; the shape's {@link GemmPlans plan}) plus a bias kernel. */
    void gemm(CudaTensor xs, CudaTensor ws, CudaTensor bs, CudaTensor os) {
        gemms.linear(xs.ptr(), ws.ptr(), os.ptr(), os.dtype(), Math.toIntExact(xs.rows()), Math.toIntExact(ws.rows()),
                Math.toIntExact(xs.cols()));
        if (bs != null) addBias(os, bs, os.dtype() == DType.F32 ? "add_bias_f32" : "add_bias_bf16");
    }

    /** cuBLAS GEMM all in F32 (no TF32) plus an F32 bias kernel. */
    private void sgemm(CudaTensor xs, CudaTensor ws, CudaTensor bs, CudaTensor os) {
        cublas.linearF32(xs.ptr(), ws.ptr(), os.ptr(), Math.toIntExact(xs.rows()), Math.toIntExact(ws.rows()),
                Math.toIntExact(xs.cols()));
        if (bs != null) addBias(os, bs, "f32_add_bias");
    }

    private void addBias(CudaTensor os, CudaTensor bs, String kernel) {
        long n = os.numel();
        kernels.args().ptr(os.ptr()).ptr(bs.ptr()).i64(n).i32(Math.toIntExact(bs.numel()));
        kernels.launchElements(kernel, n);
    }
}
