package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.TensorChecks.check;
import static dev.sglj.engine.compute.cuda.TensorChecks.checkIndices;
import static dev.sglj.engine.compute.cuda.TensorChecks.cuda;
import static dev.sglj.engine.compute.cuda.TensorChecks.requireRows;


import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.ResidualSum;
import dev.sglj.engine.compute.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The {@link Backend} on one NVIDIA GPU, computing in BF16 (the default, as SGLang serves) or F32
 * ({@code --dtype float32}). BF16: BF16 activations and KV cache, weights uploaded once as BF16
 * (F32/F16 checkpoints converted on the device), GEMMs by cuBLAS with F32 accumulation (a streaming
 * GEMV kernel for up to {@value Gemv#MAX_ROWS} rows; up to {@value GemmPlans#MAX_ROWS} rows, the algorithm
 * {@link #tuningGemms} picked for the shape; {@link Linears}), the other ops as NVRTC-compiled kernels. F32:
 * weights, activations and KV cache F32 (BF16/F16 checkpoints converted up on the device), GEMMs by
 * cuBLAS SGEMM without TF32, the other ops as the F32 kernels of {@code f32.cu} and the F32 instances of
 * the kernels written for both dtypes; every op checks that its activations and weights are in the backend's
 * dtype. Work is queued on one stream; {@link #toHost} waits for it. Host values (ints, floats, writeInts,
 * scatterInts) go through page-locked staging ({@link HostTransfers}), so no upload waits for the stream.
 * Use it from one thread at a time (the scheduler's); the CUDA context is made current on whichever
 * thread calls.
 */
public final class CudaBackend implements Backend {
    private static final long CUBLAS_WORKSPACE = 32L << 20;

    private final DType activations;
    private final int device;
    private final long context;
    private final long stream;
    private final DeviceInfo info;
    private final DeviceMemory memory;
    private final Kernels kernels;
    private final Cublas cublas;
    /** The BF16 backend's cuBLAS linears by per-shape plan (null for F32, whose SGEMM is not tuned). */
    private final GemmTuner gemms;
    private final SamplingKernels sampling;
    private final WeightUpload weights;
    private final Linears linears;
    private final FusedLinears fused;
    private final long cublasWorkspace;
    private final String compileSummary;
    private final Set<CudaTensor> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private boolean closed;
    /** Uploads through page-locked staging; {@link #toHost} and the row reads. */
    private final HostTransfers transfers;

    /** What the backend found on its device. */
    public record DeviceInfo(int ordinal, String name, int ccMajor, int ccMinor, int multiprocessors,
                             long totalBytes, int maxSharedPerBlock) {}

    /**
     * True when a CUDA driver loads and sees at least one GPU; never throws (a missing or broken
     * driver means no GPU).
     */
    public static boolean gpuPresent() {
        try {
            CudaDriver.init();
            return CudaDriver.deviceCount() > 0;
        } catch (Throwable noDriver) {
            return false;
        }
    }

    /** The backend on GPU 0, kernels cached in the default directory. */
    public CudaBackend() {
        this(0, KernelCompiler.defaultCacheDir());
    }

    public CudaBackend(int ordinal, Path kernelCacheDir) {
        this(ordinal, kernelCacheDir, DType.BF16);
    }

    /** The backend on GPU 0 computing in {@code activations} (BF16 or F32), kernels cached in the default directory. */
    public CudaBackend(DType activations) {
        this(0, KernelCompiler.defaultCacheDir(), activations);
    }

    /** The backend on GPU {@code ordinal} computing in {@code activations}: BF16 or F32. */
    public CudaBackend(int ordinal, Path kernelCacheDir, DType activations) {
        if (activations != DType.BF16 && activations != DType.F32) {
            throw new IllegalArgumentException("the CUDA backend computes in BF16 or F32, not " + activations);
        }
        this.activations = activations;
        try {
            CudaDriver.init();
        } catch (ExceptionInInitializerError | UnsatisfiedLinkError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("--device cuda: no CUDA driver here (" + cause.getMessage()
                    + "); use --device cpu", e);
        }
        int count = CudaDriver.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("GPU " + ordinal + " does not exist (" + count + " visible)");
        }
        this.device = CudaDriver.device(ordinal);
        if (CudaDriver.attribute(device, CudaDriver.ATTR_UNIFIED_ADDRESSING) != 1) {
            throw new IllegalStateException("GPU " + ordinal + " has no unified addressing, which scatterInts needs "
                    + "to read page-locked host memory");
        }
        this.context = CudaDriver.retainPrimaryContext(device);
        CudaDriver.setCurrent(context);
        current.set(true);
        this.info = new DeviceInfo(ordinal, CudaDriver.deviceName(device),
                CudaDriver.attribute(device, CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR),
                CudaDriver.attribute(device, CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR),
                CudaDriver.attribute(device, CudaDriver.ATTR_MULTIPROCESSOR_COUNT),
                CudaDriver.memInfo()[1],
                CudaDriver.attribute(device, CudaDriver.ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN));
        this.stream = CudaDriver.createStream();
        this.memory = new DeviceMemory(stream);
        KernelCompiler compiler = new KernelCompiler(info.ccMajor(), info.ccMinor(), kernelCacheDir);
        this.kernels = new Kernels(compiler, stream, Kernels.sources(activations));
        this.compileSummary = compiler.summary();
        this.transfers = new HostTransfers(stream, kernels);
        this.cublasWorkspace = memory.allocate(CUBLAS_WORKSPACE, "the cuBLAS workspace");
        this.cublas = new Cublas(stream, cublasWorkspace, CUBLAS_WORKSPACE);
        this.gemms = activations == DType.BF16 ? GemmTuner.open(cublas, stream, cublasWorkspace, CUBLAS_WORKSPACE,
                kernelCacheDir, info.name(), CudaDriver.attribute(device, CudaDriver.ATTR_L2_CACHE_SIZE)) : null;
        this.sampling = new SamplingKernels(this);
        this.weights = new WeightUpload(activations, memory, kernels, stream);
        this.linears = new Linears(kernels, cublas, gemms, info.multiprocessors(), activations);
        this.fused = new FusedLinears(kernels, info.multiprocessors(), activations);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public DType activationDtype() {
        return activations;
    }

    public DeviceInfo deviceInfo() {
        return info;
    }

    /** How the kernels were obtained at start (NVRTC compiles and cache hits). */
    public String kernelCompileSummary() {
        return compileSummary;
    }

    /** {free, total} bytes of device memory as the driver reports them now. */
    public long[] memoryInfo() {
        ensureCurrent();
        return CudaDriver.memInfo();
    }

    /** Bytes this backend took from the driver (tensors in use plus its cache of freed blocks). */
    public long reservedBytes() {
        return memory.reserved();
    }

    /** Waits until every queued op has run. */
    public void synchronize() {
        ensureCurrent();
        CudaDriver.synchronize(stream);
    }

    long stream() {
        return stream;
    }

    Kernels kernels() {
        return kernels;
    }

    private void ensureCurrent() {
        if (closed) throw new IllegalStateException("the CUDA backend is closed");
        if (!current.get()) {
            CudaDriver.setCurrent(context);
            current.set(true);
        }
    }

    private CudaTensor newTensor(String name, DType dtype, long[] shape, String what) {
        if (shape.length == 0) throw new IllegalArgumentException(what + ": shape must have at least one dimension");
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(what + ": negative dimension in shape " + Arrays.toString(shape));
        }
        long bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), (long) dtype.bytes());
        long ptr = memory.allocate(bytes, name == null ? what + " " + dtype + Arrays.toString(shape) : name);
        CudaTensor t = new CudaTensor(name, dtype, shape, ptr);
        live.add(t);
        return t;
    }

    /** A new tensor for {@code count} values of {@code shape}; one that does not hold them is refused. */
    private CudaTensor newTensorFor(int count, DType dtype, long[] shape, String what) {
        CudaTensor t = newTensor(null, dtype, shape, what);
        if (t.numel() != count) {
            free(t);
            throw new IllegalArgumentException(what + ": " + count + " values for shape " + Arrays.toString(shape));
        }
        return t;
    }

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        ensureCurrent();
        CudaTensor t = newTensor(null, dtype, shape, "allocate");
        zero(t);
        return t;
    }

    @Override
    public Tensor allocateUninitialized(DType dtype, long... shape) {
        ensureCurrent();
        return newTensor(null, dtype, shape, "allocateUninitialized");
    }

    private void zero(CudaTensor t) {
        CudaDriver.memset(t.ptr(), (byte) 0, t.bytes(), stream);
    }

    /** Uploads a checkpoint tensor in the activation dtype (converting the others on the device). */
    @Override
    public Tensor weight(HostTensor host) {
        return uploaded(host.name(), host.shape(), List.of(host), "weight");
    }

    /** The parts uploaded into consecutive row ranges of one tensor of the activation dtype. */
    @Override
    public Tensor weightRows(String name, List<HostTensor> parts) {
        return uploaded(name, HostTensor.stackedShape(name, parts, false), parts, "weightRows");
    }

    /** A new tensor of {@code shape} holding {@code parts} one after the other; freed again if one is refused. */
    private CudaTensor uploaded(String name, long[] shape, List<HostTensor> parts, String what) {
        ensureCurrent();
        CudaTensor t = newTensor(name, activations, shape, what);
        try {
            weights.uploadRows(parts, t.ptr());
        } catch (IllegalArgumentException e) {
            free(t);
            throw e;
        }
        return t;
    }

    /**
     * A weight in the activation dtype made on the device without a host copy ({@code --load-format dummy}):
     * uniform in {@code [-range, range)} from {@code seed}, or all {@code value} when {@code range} is 0;
     * {@code dtype} (the checkpoint's) only has to be a float type.
     */
    @Override
    public Tensor dummyWeight(String name, DType dtype, long[] shape, long seed, float range, float value) {
        ensureCurrent();
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dummyWeight " + name + ": dtype " + dtype + " is not a float type");
        }
        CudaTensor t = newTensor(name, activations, shape, "dummyWeight");
        weights.fill(t.ptr(), t.numel(), seed, range, value);
        return t;
    }

    @Override
    public Tensor ints(int[] values) {
        ensureCurrent();
        CudaTensor t = newTensor(null, DType.I32, new long[] {values.length}, "ints");
        transfers.ints(t.ptr(), values, 0, values.length);
        t.hostInts = values.clone();
        return t;
    }

    @Override
    public Tensor floats(float[] values, long... shape) {
        ensureCurrent();
        CudaTensor t = newTensorFor(values.length, DType.F32, shape, "floats");
        transfers.floats(t.ptr(), values);
        return t;
    }

    /** A new tensor of {@code dtype} (F32 or BF16, rounded to nearest even) holding {@code values}. */
    public Tensor upload(float[] values, DType dtype, long... shape) {
        if (dtype == DType.F32) return floats(values, shape);
        if (dtype != DType.BF16) throw new IllegalArgumentException("upload: dtype " + dtype + " must be F32 or BF16");
        ensureCurrent();
        CudaTensor t = newTensorFor(values.length, DType.BF16, shape, "upload");
        transfers.bf16(t.ptr(), values);
        return t;
    }

    @Override
    public void writeInts(Tensor dst, long dstOffset, int[] src, int srcOffset, int len) {
        ensureCurrent();
        CudaTensor d = check("writeInts", "dst", dst, DType.I32);
        if (len < 0 || dstOffset < 0 || dstOffset + len > d.numel() || srcOffset < 0 || srcOffset + len > src.length) {
            throw new IllegalArgumentException("writeInts: " + len + " ints from src[" + srcOffset + "] (length "
                    + src.length + ") to " + d + " at " + dstOffset + " out of range");
        }
        if (d.hostInts != null) System.arraycopy(src, srcOffset, d.hostInts, (int) dstOffset, len);
        transfers.ints(d.ptr() + 4 * dstOffset, src, srcOffset, len);
    }

    /**
     * {@code initial.length} I32 vectors of one length in one device allocation, holding {@code initial}
     * (queued): see {@link PackedInts}.
     */
    public PackedInts packedInts(int[]... initial) {
        ensureCurrent();
        if (initial.length == 0) throw new IllegalArgumentException("packedInts: no vectors");
        int length = initial[0].length;
        for (int[] v : initial) {
            if (v.length != length) {
                throw new IllegalArgumentException("packedInts: vectors of " + v.length + " and " + length + " values");
            }
        }
        CudaTensor whole = newTensor(null, DType.I32, new long[] {initial.length, length}, "packedInts");
        PackedInts packed = new PackedInts(this, whole, initial);
        packed.upload();
        return packed;
    }

    /**
     * Queues a copy of all of {@code values} into I32 {@code dst}, through page-locked staging
     * ({@link PackedInts#upload}).
     */
    void uploadInts(CudaTensor dst, int[] values) {
        ensureCurrent();
        if (4L * values.length != dst.bytes()) {
            throw new IllegalArgumentException("uploadInts: " + values.length + " values for " + dst);
        }
        transfers.ints(dst.ptr(), values, 0, values.length);
    }

    /** Reads its (offset, value) pairs from page-locked staging ({@link HostTransfers#scatterInts}). */
    @Override
    public void scatterInts(Tensor dst, int[] offsets, int[] values) {
        ensureCurrent();
        CudaTensor d = check("scatterInts", "dst", dst, DType.I32);
        Backend.checkScatter(offsets, values, d.numel());
        if (d.hostInts != null) for (int i = 0; i < offsets.length; i++) d.hostInts[offsets[i]] = values[i];
        transfers.scatterInts(d.ptr(), offsets, values);
    }

    @Override
    public float[] toHost(Tensor t) {
        ensureCurrent();
        CudaTensor c = check("toHost", "t", t, DType.F32, DType.BF16);
        int n = Math.toIntExact(c.numel());
        return c.dtype() == DType.F32 ? transfers.readFloats(c.ptr(), n) : transfers.readBf16(c.ptr(), n);
    }

    @Override
    public void embedding(Tensor table, Tensor ids, Tensor out) {
        ensureCurrent();
        CudaTensor tab = check("embedding", "table", table, activations);
        CudaTensor idx = check("embedding", "ids", ids, DType.I32);
        CudaTensor o = check("embedding", "out", out, activations);
        long hidden = tab.cols();
        requireRows("embedding", o, idx.numel(), hidden);
        checkIndices("embedding", "ids", idx, tab.rows());
        if (idx.numel() == 0) return;
        kernels.args().ptr(tab.ptr()).ptr(idx.ptr()).ptr(o.ptr()).i32((int) hidden);
        // F32 rows are gathered as 4-byte words by gather_rows_4, whose arguments are embedding's.
        kernels.launch(activations == DType.F32 ? "gather_rows_4" : "embedding", (int) idx.numel(), 1, 1,
                threadsFor(hidden), 0);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        ensureCurrent();
        Norms.rmsNorm(kernels, activations, x, weight, eps, out);
    }

    @Override
    public void addRmsNorm(Tensor x, Tensor residual, Tensor weight, float eps, Tensor out) {
        ensureCurrent();
        Norms.addRmsNorm(kernels, activations, x, residual, weight, eps, out);
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        ensureCurrent();
        linears.linear(x, w, bias, out);
    }

    /** The linear paths, for tests and benchmarks that pick one ({@link Linears#gemv}, {@link Linears#gemm}). */
    Linears linears() {
        return linears;
    }

    @Override
    public Tensor normStatistics(long rows, long cols) {
        return fused.fusesNorms(rows, cols) ? allocate(DType.F32, FusedLinears.statsRows(rows), FusedLinears.STATS_COLS)
                : null;
    }

    @Override
    public ResidualSum embeddingIntoResidual(Tensor table, Tensor ids, Tensor out, Tensor stats) {
        ensureCurrent();
        if (stats == null) return Backend.super.embeddingIntoResidual(table, ids, out, null);
        fused.embedding(table, ids, out, stats, 0);
        return new ResidualSum.Stored(out, stats, 0);
    }

    @Override
    public ResidualSum linearIntoResidual(Tensor x, Tensor w, Tensor bias, ResidualSum sum, Tensor delta,
                                          Tensor stats) {
        ensureCurrent();
        if (stats == null) return Backend.super.linearIntoResidual(x, w, bias, sum, delta, null);
        int slot = sum instanceof ResidualSum.Stored st && st.stats() == stats ? 1 - st.slot() : 0;
        if (fused.intoResidual(x, w, bias, sum.residual(), stats, slot)) {
            return new ResidualSum.Stored(sum.residual(), stats, slot);
        }
        // Composed: the next fused linear starts from slot 0 again, so both slots must be clean.
        zero(cuda("linearIntoResidual", "stats", stats));
        return Backend.super.linearIntoResidual(x, w, bias, sum, delta, stats);
    }

    @Override
    public void normedLinear(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor w, Tensor bias,
                             Tensor out) {
        ensureCurrent();
        if (sum instanceof ResidualSum.Stored(Tensor residual, Tensor stats, int slot) && stats != null) {
            fused.normed(residual, stats, slot, normWeight, eps, w, bias, out);
        } else {
            Backend.super.normedLinear(sum, normWeight, eps, normed, w, bias, out);
        }
    }

    @Override
    public void normedQkvToCache(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor qkvWeight,
                                 Tensor qkvBias, Tensor qkv, QkvTargets targets) {
        ensureCurrent();
        if (sum instanceof ResidualSum.Stored(Tensor residual, Tensor stats, int slot) && stats != null
                && targets.qNorm() == null) {
            fused.normedQkvToCache(residual, stats, slot, normWeight, eps, qkvWeight, qkvBias, targets);
        } else {
            Backend.super.normedQkvToCache(sum, normWeight, eps, normed, qkvWeight, qkvBias, qkv, targets);
        }
    }

    @Override
    public void normedGateUpSiluAndMul(ResidualSum sum, Tensor normWeight, float eps, Tensor normed,
                                       Tensor gateUpWeight, Tensor gateUp, Tensor out) {
        ensureCurrent();
        if (sum instanceof ResidualSum.Stored(Tensor residual, Tensor stats, int slot) && stats != null) {
            fused.normedSiluAndMul(residual, stats, slot, normWeight, eps, gateUpWeight, out);
        } else {
            Backend.super.normedGateUpSiluAndMul(sum, normWeight, eps, normed, gateUpWeight, gateUp, out);
        }
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, AttentionBatch batch, Tensor out,
                          int numHeads, int numKvHeads, int headDim, float scale) {
        ensureCurrent();
        CudaTensor qs = check("attention", "q", q, activations);
        CudaTensor os = check("attention", "out", out, activations);
        CudaTensor kc = check("attention", "kCache", kCache, activations);
        CudaTensor vc = check("attention", "vCache", vCache, activations);
        CudaTensor table = check("attention", "reqToToken", batch.reqToToken(), DType.I32);
        AttentionKernels.Shape shape = new AttentionKernels.Shape(numHeads, numKvHeads, headDim, scale);
        AttentionKernels.validate(qs, os, kc, vc, table, batch, shape);
        AttentionKernels.run(this, qs, kc, vc, table, batch, os, shape);
    }

    @Override
    public void gatherRows(Tensor x, Tensor rows, Tensor out) {
        ensureCurrent();
        CudaTensor xs = check("gatherRows", "x", x, DType.F32, DType.I32, DType.BF16, DType.F16);
        CudaTensor os = check("gatherRows", "out", out, xs.dtype());
        CudaTensor idx = check("gatherRows", "rows", rows, DType.I32);
        requireRows("gatherRows", os, idx.numel(), xs.cols());
        checkIndices("gatherRows", "rows", idx, xs.rows());
        if (idx.numel() == 0) return;
        kernels.args().ptr(xs.ptr()).ptr(idx.ptr()).ptr(os.ptr()).i32((int) xs.cols());
        kernels.launch(xs.dtype().bytes() == 2 ? "gather_rows_2" : "gather_rows_4", Math.toIntExact(idx.numel()), 1, 1,
                threadsFor(xs.cols()), 0);
    }

    @Override
    public void qkvToCache(Tensor qkv, int numHeads, int numKvHeads, int headDim, Tensor qNorm, Tensor kNorm,
                           float eps, Tensor positions, Tensor cosSin, Tensor q, Tensor kCache, Tensor vCache,
                           Tensor outCacheLoc) {
        ensureCurrent();
        FusedOps.qkvToCache(kernels, activations, qkv, new QkvTargets(numHeads, numKvHeads, headDim, qNorm, kNorm,
                positions, cosSin, q, kCache, vCache, outCacheLoc), eps);
    }

    @Override
    public void siluAndMul(Tensor gateUp, Tensor out) {
        ensureCurrent();
        FusedOps.siluAndMul(kernels, activations, gateUp, out);
    }

    @Override
    public OptionalLong availableMemory() {
        return OptionalLong.of(memoryInfo()[0]);
    }

    /** Scratch device memory for one op (freed blocks are reused in stream order). */
    long scratch(long bytes, String what) {
        return memory.allocate(bytes, what);
    }

    void releaseScratch(long ptr, long bytes) {
        memory.release(ptr, bytes);
    }

    @Override
    public void free(Tensor t) {
        CudaTensor c = cuda("free", "t", t);
        if (c.isView()) throw new IllegalArgumentException("free: " + c + " is a view, freed with the tensor it views");
        if (c.freed()) return;
        memory.release(c.take(), c.bytes());
        live.remove(c);
    }

    /**
     * Captures what {@code work} queues on this backend's stream into a CUDA graph (kernels and cuBLAS
     * only: no host copies, allocations must already be cached) and returns it ready to replay.
     */
    public CudaGraph capture(Runnable work) {
        ensureCurrent();
        if (gemms != null && gemms.inTuning()) {
            throw new IllegalStateException("capture inside tuningGemms: tuning waits for the stream");
        }
        CudaDriver.beginCapture(stream);
        try {
            work.run();
        } catch (RuntimeException e) {
            try {
                CudaDriver.destroyGraph(CudaDriver.endCaptureAndInstantiate(stream));
            } catch (CudaException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new CudaGraph(CudaDriver.endCaptureAndInstantiate(stream), stream);
    }

    /**
     * Runs {@code work} with device memory taken from and freed to the CUDA-graph pool (see
     * {@link DeviceMemory#graphPool}): warm-up and capture of graphs run inside it, so the blocks a
     * graph reads and writes are reserved for graphs until {@link #releaseGraphPool}.
     */
    public void inGraphPool(Runnable work) {
        ensureCurrent();
        memory.graphPool(true);
        try {
            work.run();
        } finally {
            memory.graphPool(false);
        }
    }

    /**
     * Runs {@code work} (eager, never a capture) with GEMM tuning on: a BF16 cuBLAS linear at decode sizes
     * ({@link GemmPlans#tunes}) whose shape has no plan yet times cublasGemmEx against cuBLASLt's heuristic
     * algorithms and keeps the fastest ({@link GemmTuner}); the plans are saved beside the kernel cache at the
     * end. Outside it a shape runs its plan, or cublasGemmEx. The decode graph runner warms each batch size up
     * inside it.
     */
    public void tuningGemms(Runnable work) {
        ensureCurrent();
        if (gemms == null) {
            work.run();
        } else {
            gemms.tuning(work);
        }
    }

    /** The GEMM tuner (null on the F32 backend). */
    GemmTuner gemms() {
        return gemms;
    }

    /** Returns the graph pool's free blocks to the ordinary cache; call after closing every graph. */
    public void releaseGraphPool() {
        ensureCurrent();
        CudaDriver.synchronize(stream);
        memory.releaseGraphPool();
    }

    /** The first {@code rows} rows of an F32 tensor {@code [rows', cols]}, waiting for the stream. */
    public float[] toHostRows(Tensor t, long rows) {
        ensureCurrent();
        CudaTensor c = check("toHostRows", "t", t, DType.F32);
        if (rows < 0 || rows > c.rows()) {
            throw new IllegalArgumentException("toHostRows: " + rows + " rows of " + c);
        }
        return transfers.readFloats(c.ptr(), Math.toIntExact(rows * c.cols()));
    }

    /**
     * Samples each row of {@code batch} from F32 logits {@code [*, vocab]} (not modified) after
     * {@code changes}, with {@code Sampler}'s semantics, and returns the token ids. Waits for the stream.
     */
    public int[] sample(Tensor logits, SamplingBatch batch, LogitChanges changes) {
        ensureCurrent();
        return sampling.sample(check("sample", "logits", logits, DType.F32), batch, changes);
    }

    /** A buffer for the ids of one {@link #sampleInto} launch of up to {@code capacity} rows. */
    public TokenBuffer tokenBuffer(int capacity) {
        ensureCurrent();
        return new TokenBuffer(this, capacity);
    }

    /**
     * {@link #sample} without waiting (the overlap schedule): the ids are written to {@code into} on the
     * device, where {@link #resolveFutureIds} reads them in stream order, and copied to its host side,
     * which {@link TokenBuffer#await} waits for. Returns at once.
     */
    public void sampleInto(Tensor logits, SamplingBatch batch, LogitChanges changes, TokenBuffer into) {
        ensureCurrent();
        CudaTensor c = check("sampleInto", "logits", logits, DType.F32);
        sampling.sampleInto(c, batch, changes, into);
    }

    /**
     * Replaces each of the first {@code n} entries of I32 {@code ids} that is negative, {@code -(i + 1)}, by
     * id {@code i} of the last launch into {@code futures}, on the device in stream order. The host no
     * longer knows the values, so ops stop checking them.
     */
    public void resolveFutureIds(Tensor ids, int n, TokenBuffer futures) {
        ensureCurrent();
        CudaTensor c = check("resolveFutureIds", "ids", ids, DType.I32);
        if (n < 0 || n > c.numel()) throw new IllegalArgumentException("resolveFutureIds: " + n + " ids of " + c);
        c.hostInts = null;
        if (n == 0) return;
        kernels.args().ptr(c.ptr()).i32(n).ptr(futures.devicePtr());
        kernels.launchElements("resolve_future_ids", n);
    }

    /**
     * {@code Logprobs.of} for row {@code logitRows[i]} of F32 logits {@code [*, vocab]} (raw: before
     * penalties and temperature) and token {@code tokens[i]}, with the row's top {@code min(topN, vocab)}.
     * Any topN runs on the device (above the candidate cap, or with ties or -inf among the top, by one
     * pass over the row per rank). A row holding NaN gets NaN logprobs, as on the CPU; its top ids then
     * rank NaN as -inf. Waits for the stream.
     */
    public RowLogprobs logprobs(Tensor logits, int[] logitRows, int[] tokens, int topN) {
        ensureCurrent();
        return sampling.logprobs(check("logprobs", "logits", logits, DType.F32), logitRows, tokens, topN);
    }

    /** Milliseconds of device time {@code work} takes, measured with events on the stream. */
    public float time(Runnable work) {
        ensureCurrent();
        long start = CudaDriver.createEvent();
        long end = CudaDriver.createEvent();
        try {
            CudaDriver.recordEvent(start, stream);
            work.run();
            CudaDriver.recordEvent(end, stream);
            return CudaDriver.elapsedMs(start, end);
        } finally {
            CudaDriver.destroyEvent(start);
            CudaDriver.destroyEvent(end);
        }
    }

    /** Frees every tensor still live, the kernels, cuBLAS and the stream, and releases the context. */
    @Override
    public void close() {
        if (closed) return;
        ensureCurrent();
        CudaDriver.synchronize(stream);
        for (CudaTensor t : live.toArray(CudaTensor[]::new)) free(t);
        memory.releaseGraphPool();
        sampling.close();
        if (gemms != null) gemms.close();
        cublas.close();
        memory.release(cublasWorkspace, CUBLAS_WORKSPACE);
        memory.emptyCache();
        kernels.close();
        transfers.close();
        CudaDriver.destroyStream(stream);
        CudaDriver.releasePrimaryContext(device);
        closed = true;
    }

    static int threadsFor(long work) {
        long t = Math.min(1024, Math.max(32, work));
        return (int) ((t + 31) / 32 * 32);
    }
}
