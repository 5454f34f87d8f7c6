package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.INT;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostMemory;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.UniformFill;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link Backend} on host memory and cores; see the package documentation for its contract. */
public final class CpuBackend implements Backend {
    /** Freed tensor memory kept for reuse (closing a shared arena costs a handshake with every thread). */
    private static final long POOLED_BYTES = 512L << 20;

    private final WorkPool pool;
    private final TensorMemory memory = new TensorMemory(POOLED_BYTES);
    private final Set<CpuTensor> live = ConcurrentHashMap.newKeySet();
    /** Memory of the weights this backend made itself ({@link #dummyWeight}). */
    private final Arena weightMemory = Arena.ofShared();

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend running ops on {@code threads} threads (the caller plus {@code threads - 1} pool workers). */
    public CpuBackend(int threads) {
        this.pool = new WorkPool(threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    public int threads() {
        return pool.parallelism();
    }

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("allocate: shape must have at least one dimension");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("allocate: negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), (long) dtype.bytes());
        TensorMemory.Block block = memory.take(bytes);
        CpuTensor t = new CpuTensor(null, dtype, shape, block.whole().asSlice(0, bytes), block);
        live.add(t);
        return t;
    }

    @Override
    public Tensor weight(HostTensor host) {
        return new CpuTensor(host.name(), host.dtype(), host.shape(), host.data(), null);
    }

    @Override
    public Tensor weightRows(String name, List<HostTensor> parts) {
        long[] shape = HostTensor.stackedShape(name, parts, true);
        List<MemorySegment> segments = parts.stream().map(HostTensor::data).toList();
        return CpuTensor.ofRows(name, parts.getFirst().dtype(), shape, segments);
    }

    /**
     * Filled by {@link UniformFill} in a {@link HostMemory} mapping: huge pages (in pooled small-page
     * blocks batch-1 decode ran 1.15-1.9x slower, side by side on a 2-core VM). The memory stays until
     * {@link #close}.
     */
    @Override
    public Tensor dummyWeight(String name, DType dtype, long[] shape, long seed, float range, float value) {
        long bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), (long) dtype.bytes());
        MemorySegment data = HostMemory.allocate(Math.max(bytes, 1), weightMemory).asSlice(0, bytes);
        UniformFill.fill(data, dtype, seed, range, value);
        return new CpuTensor(name, dtype, shape, data, null);
    }

    @Override
    public Tensor ints(int[] values) {
        CpuTensor t = (CpuTensor) allocate(DType.I32, values.length);
        MemorySegment.copy(values, 0, t.data(), INT, 0, values.length);
        return t;
    }

    @Override
    public Tensor floats(float[] values, long... shape) {
        CpuTensor t = (CpuTensor) allocate(DType.F32, shape);
        if (t.numel() != values.length) {
            free(t);
            throw new IllegalArgumentException("floats: " + values.length + " values for shape " + Arrays.toString(shape));
        }
        MemorySegment.copy(values, 0, t.data(), Vec.FLOAT, 0, values.length);
        return t;
    }

    @Override
    public void writeInts(Tensor dst, long dstOffset, int[] src, int srcOffset, int len) {
        CpuTensor d = check("writeInts", "dst", dst, DType.I32);
        if (len < 0 || dstOffset < 0 || dstOffset + len > d.numel() || srcOffset < 0 || srcOffset + len > src.length) {
            throw new IllegalArgumentException("writeInts: " + len + " ints from src[" + srcOffset + "] (length "
                    + src.length + ") to " + d + " at " + dstOffset + " out of range");
        }
        MemorySegment.copy(src, srcOffset, d.data(), INT, dstOffset * 4, len);
    }

    @Override
    public void scatterInts(Tensor dst, int[] offsets, int[] values) {
        CpuTensor d = check("scatterInts", "dst", dst, DType.I32);
        Backend.checkScatter(offsets, values, d.numel());
        for (int i = 0; i < offsets.length; i++) d.data().setAtIndex(INT, offsets[i], values[i]);
    }

    @Override
    public float[] toHost(Tensor t) {
        CpuTensor c = check("toHost", "t", t, DType.F32, DType.BF16, DType.F16);
        float[] result = new float[Math.toIntExact(c.numel())];
        int at = 0;
        for (MemorySegment part : c.parts()) {
            int n = Math.toIntExact(part.byteSize() / c.dtype().bytes());
            Vec.toFloats(c.dtype(), part, 0, result, at, n);
            at += n;
        }
        return result;
    }

    @Override
    public void embedding(Tensor table, Tensor ids, Tensor out) {
        CpuTensor tab = check("embedding", "table", table, DType.F32, DType.BF16, DType.F16);
        CpuTensor o = check("embedding", "out", out, DType.F32);
        int[] index = readInts("embedding", "ids", ids);
        long hidden = tab.rowLength();
        requireRows("embedding", o, index.length, hidden);
        checkIndices("embedding", "ids", index, tab.rowCount());
        pool.forEach(index.length, hidden, (from, to) -> {
            for (int i = from; i < to; i++) {
                Vec.toFloats(tab.dtype(), tab.data(), index[i] * hidden, o.data(), i * hidden, hidden);
            }
        });
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        CpuTensor xs = check("rmsNorm", "x", x, DType.F32);
        CpuTensor os = check("rmsNorm", "out", out, DType.F32);
        float[] w = normWeight("rmsNorm", weight, xs);
        requireRows("rmsNorm", os, xs.rowCount(), xs.rowLength());
        pool.forEach(Math.toIntExact(xs.rowCount()), xs.rowLength(),
                (from, to) -> RowOps.rmsNorm(xs.data(), w, eps, os.data(), xs.rowLength(), from, to));
    }

    @Override
    public void addRmsNorm(Tensor x, Tensor residual, Tensor weight, float eps, Tensor out) {
        CpuTensor xs = check("addRmsNorm", "x", x, DType.F32);
        CpuTensor rs = check("addRmsNorm", "residual", residual, DType.F32);
        CpuTensor os = check("addRmsNorm", "out", out, DType.F32);
        float[] w = normWeight("addRmsNorm", weight, xs);
        requireRows("addRmsNorm", rs, xs.rowCount(), xs.rowLength());
        requireRows("addRmsNorm", os, xs.rowCount(), xs.rowLength());
        pool.forEach(Math.toIntExact(xs.rowCount()), 2 * xs.rowLength(),
                (from, to) -> RowOps.addRmsNorm(xs.data(), rs.data(), w, eps, os.data(), xs.rowLength(), from, to));
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        CpuTensor xs = check("linear", "x", x, DType.F32);
        CpuTensor ws = check("linear", "w", w, DType.BF16, DType.F16, DType.F32);
        CpuTensor os = check("linear", "out", out, DType.F32);
        if (ws.shape().length != 2 || ws.rowLength() != xs.rowLength()) {
            throw new IllegalArgumentException("linear: weight " + ws + " must be [out, " + xs.rowLength() + "] for x " + xs);
        }
        requireRows("linear", os, xs.rowCount(), ws.rowCount());
        if (os.data().asOverlappingSlice(xs.data()).isPresent()) {
            throw new IllegalArgumentException("linear: out " + os + " overlaps x " + xs);
        }
        float[] b = null;
        if (bias != null) {
            CpuTensor bs = check("linear", "bias", bias, DType.BF16, DType.F16, DType.F32);
            if (bs.numel() != ws.rowCount()) {
                throw new IllegalArgumentException("linear: bias " + bs + " must have " + ws.rowCount() + " elements");
            }
            b = toHost(bs);
        }
        Linear.run(pool, xs.data(), Math.toIntExact(xs.rowCount()), Math.toIntExact(xs.rowLength()), ws.dtype(),
                ws.parts(), b, os.data());
    }

    @Override
    public void qkvToCache(Tensor qkv, int numHeads, int numKvHeads, int headDim, Tensor qNorm, Tensor kNorm,
                           float eps, Tensor positions, Tensor cosSin, Tensor q, Tensor kCache, Tensor vCache,
                           Tensor outCacheLoc) {
        CpuTensor in = check("qkvToCache", "qkv", qkv, DType.F32);
        CpuTensor qs = check("qkvToCache", "q", q, DType.F32);
        CpuTensor kc = check("qkvToCache", "kCache", kCache, DType.F32);
        CpuTensor vc = check("qkvToCache", "vCache", vCache, DType.F32);
        CpuTensor table = check("qkvToCache", "cosSin", cosSin, DType.F32);
        if (headDim <= 0 || headDim % 2 != 0 || numHeads <= 0 || numKvHeads <= 0) {
            throw new IllegalArgumentException("qkvToCache: " + numHeads + " q heads and " + numKvHeads
                    + " kv heads must be positive and headDim " + headDim + " positive and even");
        }
        if ((qNorm == null) != (kNorm == null)) {
            throw new IllegalArgumentException("qkvToCache: qNorm and kNorm must both be given or both be null");
        }
        RowOps.QkvShape shape = new RowOps.QkvShape(numHeads, numKvHeads, headDim);
        int[] pos = readInts("qkvToCache", "positions", positions);
        int[] loc = readInts("qkvToCache", "outCacheLoc", outCacheLoc);
        long qWidth = (long) numHeads * headDim;
        long kvWidth = (long) numKvHeads * headDim;
        requireRows("qkvToCache", in, pos.length, shape.rowWidth());
        requireRows("qkvToCache", qs, pos.length, qWidth);
        requireRows("qkvToCache", kc, kc.rowCount(), kvWidth);
        requireRows("qkvToCache", vc, kc.rowCount(), kvWidth);
        if (loc.length != pos.length) {
            throw new IllegalArgumentException("qkvToCache: " + loc.length + " outCacheLoc entries for " + pos.length
                    + " positions");
        }
        if (table.rowLength() != headDim) {
            throw new IllegalArgumentException("qkvToCache: cosSin " + table + " must have rows of headDim = " + headDim);
        }
        checkIndices("qkvToCache", "positions", pos, table.rowCount());
        checkIndices("qkvToCache", "outCacheLoc", loc, kc.rowCount());
        float[] qn = qNorm == null ? null : headNorm("qkvToCache", "qNorm", qNorm, headDim);
        float[] kn = kNorm == null ? null : headNorm("qkvToCache", "kNorm", kNorm, headDim);
        MemorySegment src = in.data();
        MemorySegment cs = table.data();
        MemorySegment qd = qs.data();
        MemorySegment kd = kc.data();
        MemorySegment vd = vc.data();
        pool.forEach(pos.length, shape.rowWidth(), (from, to) -> {
            for (int n = from; n < to; n++) {
                RowOps.qkvToCache(src, n * shape.rowWidth(), shape, qn, kn, eps, cs, pos[n], qd, n * qWidth, kd, vd,
                        loc[n] * kvWidth);
            }
        });
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, AttentionBatch batch, Tensor out,
                          int numHeads, int numKvHeads, int headDim, float scale) {
        CpuTensor qs = check("attention", "q", q, DType.F32);
        CpuTensor os = check("attention", "out", out, DType.F32);
        CpuTensor kc = check("attention", "kCache", kCache, DType.F32);
        CpuTensor vc = check("attention", "vCache", vCache, DType.F32);
        CpuTensor table = check("attention", "reqToToken", batch.reqToToken(), DType.I32);
        if (numHeads <= 0 || numKvHeads <= 0 || headDim <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("attention: numHeads " + numHeads + " must be a positive multiple of"
                    + " numKvHeads " + numKvHeads + " and headDim " + headDim + " positive");
        }
        if (qs.rowLength() != (long) numHeads * headDim) {
            throw new IllegalArgumentException("attention: q " + qs + " must have rows of numHeads * headDim = "
                    + numHeads + " * " + headDim);
        }
        requireRows("attention", os, qs.rowCount(), qs.rowLength());
        requireRows("attention", kc, kc.rowCount(), (long) numKvHeads * headDim);
        requireRows("attention", vc, kc.rowCount(), (long) numKvHeads * headDim);
        int requests = batch.numRequests();
        int[] seqLens = batch.hostSeqLens();
        int[] extendLens = batch.hostExtendLens();
        int[] starts = batch.hostExtendStarts();
        if (seqLens.length != requests || extendLens.length != requests || starts.length != requests) {
            throw new IllegalArgumentException("attention: host seqLens/extendLens/extendStarts must each have "
                    + requests + " entries (numRequests)");
        }
        int[] poolIndices = readInts("attention", "reqPoolIndices", batch.reqPoolIndices());
        if (poolIndices.length < requests) {
            throw new IllegalArgumentException("attention: reqPoolIndices has " + poolIndices.length
                    + " entries for " + requests + " requests");
        }
        int stride = batch.reqToTokenStride();
        for (int r = 0; r < requests; r++) {
            if (extendLens[r] < 0 || extendLens[r] > seqLens[r] || seqLens[r] > stride) {
                throw new IllegalArgumentException("attention: request " + r + " has extendLen " + extendLens[r]
                        + " and seqLen " + seqLens[r] + "; need 0 <= extendLen <= seqLen <= stride " + stride);
            }
            if (starts[r] < 0 || (long) starts[r] + extendLens[r] > qs.rowCount()) {
                throw new IllegalArgumentException("attention: request " + r + " rows [" + starts[r] + ", "
                        + ((long) starts[r] + extendLens[r]) + ") outside q's " + qs.rowCount() + " rows");
            }
            if (poolIndices[r] < 0 || ((long) poolIndices[r] + 1) * stride > table.numel()) {
                throw new IllegalArgumentException("attention: request " + r + " reqPoolIndex " + poolIndices[r]
                        + " outside reqToToken " + table + " of stride " + stride);
            }
        }
        Attention.run(pool, new Attention.Inputs(qs.data(), kc.data(), vc.data(), kc.rowCount(), table.data(),
                table.numel(), stride, poolIndices, seqLens, extendLens, starts, os.data(), numHeads, numKvHeads,
                headDim, scale));
    }

    @Override
    public void siluAndMul(Tensor gateUp, Tensor out) {
        CpuTensor gu = check("siluAndMul", "gateUp", gateUp, DType.F32);
        CpuTensor o = check("siluAndMul", "out", out, DType.F32);
        long cols = gu.rowLength() / 2;
        if (gu.rowLength() % 2 != 0) {
            throw new IllegalArgumentException("siluAndMul: gateUp " + gu + " must have rows of 2 * intermediate");
        }
        requireRows("siluAndMul", o, gu.rowCount(), cols);
        pool.forEach(Math.toIntExact(gu.rowCount()), 4 * cols,
                (from, to) -> RowOps.siluAndMul(gu.data(), o.data(), cols, from, to));
    }

    @Override
    public void gatherRows(Tensor x, Tensor rows, Tensor out) {
        CpuTensor xs = check("gatherRows", "x", x, DType.F32, DType.I32, DType.BF16, DType.F16);
        CpuTensor os = check("gatherRows", "out", out, xs.dtype());
        int[] index = readInts("gatherRows", "rows", rows);
        requireRows("gatherRows", os, index.length, xs.rowLength());
        checkIndices("gatherRows", "rows", index, xs.rowCount());
        long bytes = xs.rowLength() * xs.dtype().bytes();
        pool.forEach(index.length, xs.rowLength(), (from, to) -> {
            for (int i = from; i < to; i++) {
                MemorySegment.copy(xs.data(), index[i] * bytes, os.data(), i * bytes, bytes);
            }
        });
    }

    @Override
    public void free(Tensor t) {
        CpuTensor c = cpu("free", "t", t);
        TensorMemory.Block block = c.release();
        if (block != null) {
            live.remove(c);
            memory.give(block);
        }
    }

    /** Stops the worker threads and releases the memory of every tensor this backend allocated. */
    @Override
    public void close() {
        pool.close();
        for (CpuTensor t : live) {
            free(t);
        }
        memory.close();
        weightMemory.close();
    }

    private static CpuTensor cpu(String op, String role, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + role + " is null");
        }
        if (!(t instanceof CpuTensor c)) {
            throw new IllegalArgumentException(op + ": " + role + " is a " + t.getClass().getSimpleName()
                    + ", not a CPU tensor");
        }
        return c;
    }

    private static CpuTensor check(String op, String role, Tensor t, DType... allowed) {
        CpuTensor c = cpu(op, role, t);
        for (DType d : allowed) {
            if (c.dtype() == d) {
                c.requireLive();
                return c;
            }
        }
        throw new IllegalArgumentException(op + ": " + role + " " + c + " must be one of " + Arrays.toString(allowed));
    }

    private static void requireRows(String op, CpuTensor t, long rows, long cols) {
        if (t.rowCount() != rows || t.rowLength() != cols) {
            throw new IllegalArgumentException(op + ": " + t + " must hold " + rows + " rows of " + cols);
        }
    }

    private static int[] readInts(String op, String role, Tensor t) {
        CpuTensor c = check(op, role, t, DType.I32);
        int[] values = new int[Math.toIntExact(c.numel())];
        MemorySegment.copy(c.data(), INT, 0, values, 0, values.length);
        return values;
    }

    private static void checkIndices(String op, String role, int[] index, long limit) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= limit) {
                throw new IllegalArgumentException(op + ": " + role + "[" + i + "] = " + index[i]
                        + " outside [0, " + limit + ")");
            }
        }
    }

    /** A per-head norm weight of exactly {@code headDim} elements, as floats. */
    private float[] headNorm(String op, String role, Tensor weight, int headDim) {
        CpuTensor w = check(op, role, weight, DType.F32, DType.BF16, DType.F16);
        if (w.numel() != headDim) {
            throw new IllegalArgumentException(op + ": " + role + " " + w + " must have headDim = " + headDim + " elements");
        }
        return toHost(w);
    }

    /** The norm weight as floats; its length must divide the rows of x. */
    private float[] normWeight(String op, Tensor weight, CpuTensor x) {
        CpuTensor w = check(op, "weight", weight, DType.F32, DType.BF16, DType.F16);
        if (w.numel() == 0 || x.rowLength() % w.numel() != 0) {
            throw new IllegalArgumentException(op + ": weight " + w + " must have a size dividing the rows of x " + x);
        }
        return toHost(w);
    }
}
