package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * cuBLAS ({@code libcublas}, which loads {@code libcublasLt}) through FFM: one handle bound to the
 * backend's stream with a fixed workspace (so GEMMs can be captured in CUDA graphs), and
 * {@code cublasGemmEx} with float32 compute (BF16 or F32 inputs; never TF32).
 */
final class Cublas implements AutoCloseable {
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16BF = 14;
    static final int OP_N = 0;
    static final int OP_T = 1;
    static final int COMPUTE_32F = 68;
    static final int GEMM_DEFAULT = -1;

    private static final SymbolLookup LIB = loadCublas();

    private static SymbolLookup loadCublas() {
        // cuBLAS needs cuBLASLt; opening it first by full path satisfies that dependency without LD_LIBRARY_PATH.
        NativeLibraries.open("cuBLASLt (libcublasLt)", "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so");
        return NativeLibraries.open("cuBLAS (libcublas)", "libcublas.so.13", "libcublas.so.12", "libcublas.so");
    }

    private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout... args) {
        return NativeLibraries.function(LIB, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static final MethodHandle CREATE = fn("cublasCreate_v2", ADDRESS);
    private static final MethodHandle DESTROY = fn("cublasDestroy_v2", JAVA_LONG);
    private static final MethodHandle SET_STREAM = fn("cublasSetStream_v2", JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SET_WORKSPACE = fn("cublasSetWorkspace_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle GEMM_EX = fn("cublasGemmEx", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT);

    private final long handle;
    private final MemorySegment one;
    private final MemorySegment zero;

    Cublas(long stream, long workspace, long workspaceBytes) {
        Arena arena = Arena.ofAuto();
        this.one = arena.allocateFrom(JAVA_FLOAT, 1f);
        this.zero = arena.allocateFrom(JAVA_FLOAT, 0f);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cublasCreate_v2", (int) CREATE.invokeExact(out));
            handle = out.get(JAVA_LONG, 0);
            check("cublasSetStream_v2", (int) SET_STREAM.invokeExact(handle, stream));
            check("cublasSetWorkspace_v2", (int) SET_WORKSPACE.invokeExact(handle, workspace, workspaceBytes));
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    static void check(String function, int code) {
        if (code != 0) {
            throw new CudaException(function, code, statusName(code));
        }
    }

    static String statusName(int code) {
        return switch (code) {
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "CUBLAS_STATUS_" + code;
        };
    }

    /**
     * Row-major {@code out[n, o] = sum_k x[n, k] * w[o, k]}: x is {@code [rows, k]} BF16, w is
     * {@code [outCols, k]} BF16, out is {@code [rows, outCols]} of {@code outType} (BF16 or F32).
     * In cuBLAS's column-major terms, {@code out^T = w^T(op T) * x^T}.
     */
    void linear(long x, long w, long out, int outType, int rows, int outCols, int k) {
        try {
            check("cublasGemmEx", (int) GEMM_EX.invokeExact(handle, OP_T, OP_N, outCols, rows, k, one,
                    w, CUDA_R_16BF, k, x, CUDA_R_16BF, k, zero, out, outType, outCols, COMPUTE_32F, GEMM_DEFAULT));
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    /**
     * {@link #linear} with x, w and out all F32 ({@code [rows, k]}, {@code [outCols, k]}, {@code [rows, outCols]}):
     * SGEMM in {@code CUBLAS_COMPUTE_32F}, which (unlike {@code CUBLAS_COMPUTE_32F_FAST_TF32}, and with the
     * handle's default math mode) never rounds inputs to TF32.
     */
    void linearF32(long x, long w, long out, int rows, int outCols, int k) {
        try {
            check("cublasGemmEx", (int) GEMM_EX.invokeExact(handle, OP_T, OP_N, outCols, rows, k, one,
                    w, CUDA_R_32F, k, x, CUDA_R_32F, k, zero, out, CUDA_R_32F, outCols, COMPUTE_32F, GEMM_DEFAULT));
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            check("cublasDestroy_v2", (int) DESTROY.invokeExact(handle));
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }
}
