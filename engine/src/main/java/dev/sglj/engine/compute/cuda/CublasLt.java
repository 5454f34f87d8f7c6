package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * cuBLASLt ({@code libcublasLt}) through FFM: the same product as {@link Cublas#linear},
 * {@code out[rows, outCols] = x[rows, k] * w[outCols, k]^T} (BF16 in, F32 compute, BF16 or F32 out, alpha 1,
 * beta 0), described as cublasGemmEx sees it (column-major: op T on W viewed k x outCols, x viewed k x rows,
 * out viewed outCols x rows), with the algorithm chosen by the caller from {@link #heuristics}. Calls run on
 * the backend's stream with its fixed workspace, so they can be captured in CUDA graphs. Enum values and
 * struct layouts are those of CUDA 13's {@code cublasLt.h}.
 */
final class CublasLt implements AutoCloseable {
    /** {@code sizeof(cublasLtMatmulAlgo_t)}: {@code uint64_t data[8]}. */
    static final int ALGO_BYTES = 64;
    /**
     * {@code cublasLtMatmulHeuristicResult_t}: the algo (64 B), {@code size_t workspaceSize} at 64,
     * {@code cublasStatus_t state} at 72, {@code float wavesCount} at 76, {@code int reserved[4]}: 96 bytes.
     */
    private static final long RESULT_BYTES = 96;
    private static final long RESULT_WORKSPACE = 64;
    private static final long RESULT_STATE = 72;
    private static final int MATMUL_DESC_TRANSA = 3;
    private static final int MATMUL_DESC_TRANSB = 4;
    private static final int PREF_MAX_WORKSPACE_BYTES = 1;

    private static final SymbolLookup LIB =
            NativeLibraries.open("cuBLASLt (libcublasLt)", "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so");

    private static MethodHandle fn(String name, MemoryLayout... args) {
        return NativeLibraries.function(LIB, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static final MethodHandle CREATE = fn("cublasLtCreate", ADDRESS);
    private static final MethodHandle DESTROY = fn("cublasLtDestroy", JAVA_LONG);
    private static final MethodHandle GET_VERSION =
            NativeLibraries.function(LIB, "cublasLtGetVersion", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle DESC_CREATE = fn("cublasLtMatmulDescCreate", ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle DESC_DESTROY = fn("cublasLtMatmulDescDestroy", JAVA_LONG);
    private static final MethodHandle DESC_SET = fn("cublasLtMatmulDescSetAttribute", JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG);
    private static final MethodHandle LAYOUT_CREATE = fn("cublasLtMatrixLayoutCreate", ADDRESS, JAVA_INT, JAVA_LONG,
            JAVA_LONG, JAVA_LONG);
    private static final MethodHandle LAYOUT_DESTROY = fn("cublasLtMatrixLayoutDestroy", JAVA_LONG);
    private static final MethodHandle PREF_CREATE = fn("cublasLtMatmulPreferenceCreate", ADDRESS);
    private static final MethodHandle PREF_DESTROY = fn("cublasLtMatmulPreferenceDestroy", JAVA_LONG);
    private static final MethodHandle PREF_SET = fn("cublasLtMatmulPreferenceSetAttribute", JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG);
    private static final MethodHandle HEURISTIC = fn("cublasLtMatmulAlgoGetHeuristic", JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle MATMUL = fn("cublasLtMatmul", JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_LONG, JAVA_LONG);

    private final long handle;
    private final long stream;
    private final long workspace;
    private final long workspaceBytes;
    private final MemorySegment one;
    private final MemorySegment zero;

    /**
     * One problem's descriptors: the matmul (compute 32F, scale 32F, A transposed) and the layouts of W, x and
     * out (out is both C and D). Made once per shape and kept: creating them costs host time on every call.
     */
    record Matmul(long desc, long a, long b, long d) {}

    CublasLt(long stream, long workspace, long workspaceBytes) {
        this.stream = stream;
        this.workspace = workspace;
        this.workspaceBytes = workspaceBytes;
        Arena arena = Arena.ofAuto();
        this.one = arena.allocateFrom(JAVA_FLOAT, 1f);
        this.zero = arena.allocateFrom(JAVA_FLOAT, 0f);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            Cublas.check("cublasLtCreate", (int) CREATE.invokeExact(out));
            handle = out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cublasLtGetVersion()}: e.g. 130100 for cuBLAS 13.1.0. */
    static long version() {
        try {
            return (long) GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** The descriptors of {@code out[rows, outCols] = x[rows, k] * w[outCols, k]^T} with out of {@code outType}. */
    Matmul matmul(int rows, int outCols, int k, int outType) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            Cublas.check("cublasLtMatmulDescCreate",
                    (int) DESC_CREATE.invokeExact(out, Cublas.COMPUTE_32F, Cublas.CUDA_R_32F));
            long desc = out.get(JAVA_LONG, 0);
            MemorySegment op = a.allocate(JAVA_INT);
            op.set(JAVA_INT, 0, Cublas.OP_T);
            Cublas.check("cublasLtMatmulDescSetAttribute",
                    (int) DESC_SET.invokeExact(desc, MATMUL_DESC_TRANSA, op, JAVA_INT.byteSize()));
            op.set(JAVA_INT, 0, Cublas.OP_N);
            Cublas.check("cublasLtMatmulDescSetAttribute",
                    (int) DESC_SET.invokeExact(desc, MATMUL_DESC_TRANSB, op, JAVA_INT.byteSize()));
            return new Matmul(desc, layout(a, Cublas.CUDA_R_16BF, k, outCols, k),
                    layout(a, Cublas.CUDA_R_16BF, k, rows, k), layout(a, outType, outCols, rows, outCols));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long layout(Arena a, int type, long rows, long cols, long ld) throws Throwable {
        MemorySegment out = a.allocate(ADDRESS);
        Cublas.check("cublasLtMatrixLayoutCreate", (int) LAYOUT_CREATE.invokeExact(out, type, rows, cols, ld));
        return out.get(JAVA_LONG, 0);
    }

    /**
     * Up to {@code max} algorithms the heuristic ranks for {@code m} within the workspace, best first, as the
     * bytes of their {@code cublasLtMatmulAlgo_t}; results whose state is not success or that need more
     * workspace are left out.
     */
    List<byte[]> heuristics(Matmul m, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            Cublas.check("cublasLtMatmulPreferenceCreate", (int) PREF_CREATE.invokeExact(out));
            long pref = out.get(JAVA_LONG, 0);
            try {
                MemorySegment ws = a.allocateFrom(JAVA_LONG, workspaceBytes);
                Cublas.check("cublasLtMatmulPreferenceSetAttribute",
                        (int) PREF_SET.invokeExact(pref, PREF_MAX_WORKSPACE_BYTES, ws, JAVA_LONG.byteSize()));
                MemorySegment results = a.allocate(RESULT_BYTES * max, 8);
                MemorySegment count = a.allocate(JAVA_INT);
                Cublas.check("cublasLtMatmulAlgoGetHeuristic", (int) HEURISTIC.invokeExact(handle, m.desc(), m.a(),
                        m.b(), m.d(), m.d(), pref, max, results, count));
                List<byte[]> algos = new ArrayList<>();
                for (int i = 0; i < Math.min(count.get(JAVA_INT, 0), max); i++) {
                    MemorySegment r = results.asSlice(i * RESULT_BYTES, RESULT_BYTES);
                    if (r.get(JAVA_INT, RESULT_STATE) == 0 && r.get(JAVA_LONG, RESULT_WORKSPACE) <= workspaceBytes) {
                        algos.add(r.asSlice(0, ALGO_BYTES).toArray(JAVA_BYTE));
                    }
                }
                return algos;
            } finally {
                Cublas.check("cublasLtMatmulPreferenceDestroy", (int) PREF_DESTROY.invokeExact(pref));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Queues {@code out = x * w^T} for {@code m} with {@code algo} (a native {@value #ALGO_BYTES}-byte
     * {@code cublasLtMatmulAlgo_t}) on the stream, using the whole workspace.
     */
    void run(Matmul m, MemorySegment algo, long x, long w, long out) {
        try {
            Cublas.check("cublasLtMatmul", (int) MATMUL.invokeExact(handle, m.desc(), one, w, m.a(), x, m.b(), zero,
                    out, m.d(), out, m.d(), algo, workspace, workspaceBytes, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Destroys {@code m}'s descriptors. */
    void destroy(Matmul m) {
        try {
            Cublas.check("cublasLtMatrixLayoutDestroy", (int) LAYOUT_DESTROY.invokeExact(m.d()));
            Cublas.check("cublasLtMatrixLayoutDestroy", (int) LAYOUT_DESTROY.invokeExact(m.b()));
            Cublas.check("cublasLtMatrixLayoutDestroy", (int) LAYOUT_DESTROY.invokeExact(m.a()));
            Cublas.check("cublasLtMatmulDescDestroy", (int) DESC_DESTROY.invokeExact(m.desc()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void close() {
        try {
            Cublas.check("cublasLtDestroy", (int) DESTROY.invokeExact(handle));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
