package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.Arrays;

/** The argument checks of the CUDA ops: each failure is an {@link IllegalArgumentException} naming the op. */
final class TensorChecks {
    private TensorChecks() {}

    static CudaTensor cuda(String op, String role, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": " + role + " is null");
        if (!(t instanceof CudaTensor c)) {
            throw new IllegalArgumentException(op + ": " + role + " is a " + t.getClass().getSimpleName()
                    + ", not a CUDA tensor");
        }
        return c;
    }

    static CudaTensor check(String op, String role, Tensor t, DType... allowed) {
        CudaTensor c = cuda(op, role, t);
        for (DType d : allowed) {
            if (c.dtype() == d) {
                c.ptr();
                return c;
            }
        }
        throw new IllegalArgumentException(op + ": " + role + " " + c + " must be one of " + Arrays.toString(allowed));
    }

    static void requireRows(String op, CudaTensor t, long rows, long cols) {
        if (t.rows() != rows || t.cols() != cols) {
            throw new IllegalArgumentException(op + ": " + t + " must hold " + rows + " rows of " + cols);
        }
    }

    /** Checks indices whose values the host knows (tensors from {@link CudaBackend#ints}). */
    static void checkIndices(String op, String role, CudaTensor t, long limit) {
        int[] index = t.hostInts;
        if (index == null) return;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= limit) {
                throw new IllegalArgumentException(op + ": " + role + "[" + i + "] = " + index[i]
                        + " outside [0, " + limit + ")");
            }
        }
    }

    static CudaTensor normWeight(String op, Tensor weight, CudaTensor x, DType dtype) {
        CudaTensor w = check(op, "weight", weight, dtype);
        if (w.numel() == 0 || x.cols() % w.numel() != 0) {
            throw new IllegalArgumentException(op + ": weight " + w + " must have a size dividing the rows of x " + x);
        }
        return w;
    }

    /** A bias of one element per row of the weight {@code ws}. */
    static CudaTensor bias(String op, Tensor bias, CudaTensor ws, DType dtype) {
        CudaTensor bs = check(op, "bias", bias, dtype);
        if (bs.numel() != ws.rows()) {
            throw new IllegalArgumentException(op + ": bias " + bs + " must have " + ws.rows() + " elements");
        }
        return bs;
    }
}
