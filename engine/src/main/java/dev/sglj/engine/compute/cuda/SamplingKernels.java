package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Sampling and logprobs on the device ({@code sampling.cu}), with the semantics of
 * {@code dev.sglj.engine.sampling.Sampler} and {@code Logprobs}: one block of {@value #THREADS} threads
 * per row, one upload of the packed per-row arguments, one launch, one read-back of the small results.
 *
 * <p>{@code sample_rows} copies a row into the block's working row (NaN as -inf), applies its
 * {@link LogitChanges} and the temperature there (the logits stay intact), then takes the first
 * maximum (greedy; a batch of greedy rows without changes goes to {@code argmax_rows} instead, 32 blocks a
 * row), draws over the whole row in id order (no cut), or, with a cut, searches a logit
 * threshold holding every token the cut can keep (top_k by counts, top_p by masses with Sampler's
 * 1e-4 margin, min_p by its bound), ranks the tokens above it in shared memory (bitonic sort of
 * (value desc, id asc) keys) and draws from the ranked survivors. A row with more than
 * {@value #CANDIDATE_CAP} such tokens is drawn without ranking ({@code smp_draw_exact}): the survivor count
 * and the drawn rank are each the largest ranking key below which a count or a weight stays within a
 * bound, found three key bits a pass over the row (about 17 passes a search, three searches).
 *
 * <p>{@code logprob_rows} computes the log-sum-exp of each raw row (double sum of float
 * exponentials), the chosen token's logprob and the row's top N: gathered above a searched
 * threshold and sorted, or, when ties or -inf values make that set larger than the cap (or N is
 * larger), by N exact passes of a block minimum over the ranking keys; still on the device.
 *
 * <p>Sums differ from the CPU's only in rounding order, so a draw can differ only where the target
 * falls within rounding of a cumulative boundary. The working rows, argument and result buffers on
 * the device and the pinned host buffers are kept and grown: steady-state calls allocate nothing.
 */
final class SamplingKernels implements AutoCloseable {
    static final int THREADS = 1024;
    /** sampling.cu's SMP_CAP: ranked candidates a block holds in shared memory. */
    static final int CANDIDATE_CAP = 4096;
    /** Arrays of sample_rows' packed arguments, in its argument order. */
    static final int SAMPLE_ARRAYS = 12;
    /** sampling.cu's ARGMAX_SLICES (one warp's lanes merge them) and ARGMAX_THREADS. */
    static final int ARGMAX_SLICES = 32;
    static final int ARGMAX_THREADS = 256;
    private static final int MAX_GRID_Y = 65_535;

    private final CudaBackend backend;
    private final int maxBlocks;
    private final DeviceBuffer work;
    private final DeviceBuffer args;
    private final DeviceBuffer results;
    private final DeviceBuffer argmaxPartials;
    /** argmax_rows' per-row counters: zeroed when allocated, and the kernel leaves them zero. */
    private final DeviceBuffer argmaxCounters;
    private final PinnedBuffer hostArgs = new PinnedBuffer();
    private final PinnedBuffer hostResults = new PinnedBuffer();
    /** Argument staging of {@link #sampleInto}, two alternating buffers. */
    private final PinnedBuffer[] asyncArgs = {new PinnedBuffer(), new PinnedBuffer()};
    private int asyncFlip;

    SamplingKernels(CudaBackend backend) {
        this.backend = backend;
        this.maxBlocks = backend.deviceInfo().multiprocessors();
        this.work = new DeviceBuffer(backend, "sampling rows");
        this.args = new DeviceBuffer(backend, "sampling arguments");
        this.results = new DeviceBuffer(backend, "sampling results");
        this.argmaxPartials = new DeviceBuffer(backend, "argmax partials");
        this.argmaxCounters = new DeviceBuffer(backend, "argmax counters");
    }

    int[] sample(CudaTensor logits, SamplingBatch batch, LogitChanges changes) {
        int n = batch.size();
        if (n == 0) {
            launchSample(logits, batch, changes, hostArgs, 0);
            return new int[0];
        }
        long out = results.ensure(4L * n);
        launchSample(logits, batch, changes, hostArgs, out);
        return hostResults.read(out, 4L * n, backend.stream()).toArray(JAVA_INT);
    }

    /**
     * {@link #sample} without waiting: the ids go to {@code into} on the device and are copied to its host
     * side behind its event. The packed arguments alternate between two pinned buffers, so this launch's
     * upload, which runs only when the stream gets to it, never reads a buffer the next launch refills
     * (the caller awaits a launch's ids before launching the one after the next).
     */
    void sampleInto(CudaTensor logits, SamplingBatch batch, LogitChanges changes, TokenBuffer into) {
        int n = batch.size();
        if (n > into.capacity()) {
            throw new IllegalArgumentException("sample: " + n + " rows for a token buffer of " + into.capacity());
        }
        asyncFlip ^= 1;
        launchSample(logits, batch, changes, asyncArgs[asyncFlip], into.devicePtr());
        into.queueReadback(n, backend.stream());
    }

    /** Checks, uploads the packed arguments through {@code staging} and queues sample_rows writing {@code out}. */
    private void launchSample(CudaTensor logits, SamplingBatch batch, LogitChanges changes, PinnedBuffer staging,
                              long out) {
        int vocab = vocab("sample", logits);
        checkRows("sample", batch.logitRows(), logits.rows());
        checkChanges(changes, batch.size(), vocab);
        int n = batch.size();
        if (n == 0) return;
        if (changes.size() == 0 && n <= MAX_GRID_Y && batch.allGreedy(vocab)) {
            launchArgmax(logits, vocab, batch.logitRows(), staging, out);
            return;
        }
        long bytes = sampleArgBytes(n, changes.size());
        MemorySegment host = staging.ensure(bytes);
        long[] offsets = packSample(batch, changes, host);
        long dev = args.ensure(bytes);
        CudaDriver.copyToDevice(dev, host, bytes, backend.stream());
        int blocks = Math.min(n, maxBlocks);
        long rows = work.ensure(4L * blocks * vocab);
        Kernels k = backend.kernels().args().ptr(logits.ptr()).i32(vocab).ptr(rows).i32(n);
        for (int i = 0; i < SAMPLE_ARRAYS; i++) k.ptr(dev + offsets[i]);
        k.ptr(out).launch("sample_rows", blocks, 1, 1, THREADS, 0);
    }

    /**
     * argmax_rows: {@value #ARGMAX_SLICES} blocks a row instead of sample_rows' one, no working row; the rows
     * are uploaded only when they are not 0..n-1.
     */
    private void launchArgmax(CudaTensor logits, int vocab, int[] logitRows, PinnedBuffer staging, long out) {
        int n = logitRows.length;
        long rows = 0;
        if (!identity(logitRows)) {
            MemorySegment host = staging.ensure(4L * n);
            MemorySegment.copy(logitRows, 0, host, JAVA_INT, 0, n);
            rows = args.ensure(4L * n);
            CudaDriver.copyToDevice(rows, host, 4L * n, backend.stream());
        }
        long partial = argmaxPartials.ensure(8L * ARGMAX_SLICES * n);
        backend.kernels().args().ptr(logits.ptr()).i32(vocab).ptr(rows).ptr(partial)
                .ptr(argmaxCounters.ensureZeroed(4L * n)).ptr(out)
                .launch("argmax_rows", ARGMAX_SLICES, n, 1, ARGMAX_THREADS, 0);
    }

    private static boolean identity(int[] rows) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) return false;
        }
        return true;
    }

    RowLogprobs logprobs(CudaTensor logits, int[] logitRows, int[] tokens, int topN) {
        int vocab = vocab("logprobs", logits);
        if (tokens.length != logitRows.length) {
            throw new IllegalArgumentException("logprobs: " + tokens.length + " tokens for " + logitRows.length + " rows");
        }
        if (topN < 0) throw new IllegalArgumentException("logprobs: topN must be at least 0, got " + topN);
        checkRows("logprobs", logitRows, logits.rows());
        checkTokens("logprobs", tokens, vocab);
        int n = logitRows.length;
        int top = Math.min(topN, vocab);
        if (n == 0) return new RowLogprobs(new float[0], new int[0], new float[0], top);
        MemorySegment host = hostArgs.ensure(8L * n);
        MemorySegment.copy(logitRows, 0, host, JAVA_INT, 0, n);
        MemorySegment.copy(tokens, 0, host, JAVA_INT, 4L * n, n);
        long dev = args.ensure(8L * n);
        CudaDriver.copyToDevice(dev, host, 8L * n, backend.stream());
        long topBytes = 4L * n * top;
        long out = results.ensure(4L * n + 2 * topBytes);
        backend.kernels().args().ptr(logits.ptr()).i32(vocab).i32(n).ptr(dev).ptr(dev + 4L * n).i32(top)
                .ptr(out).ptr(out + 4L * n).ptr(out + 4L * n + topBytes)
                .launch("logprob_rows", Math.min(n, maxBlocks), 1, 1, THREADS, 0);
        MemorySegment back = hostResults.read(out, 4L * n + 2 * topBytes, backend.stream());
        return new RowLogprobs(back.asSlice(0, 4L * n).toArray(JAVA_FLOAT),
                back.asSlice(4L * n, topBytes).toArray(JAVA_INT),
                back.asSlice(4L * n + topBytes, topBytes).toArray(JAVA_FLOAT), top);
    }

    /** Bytes of sample_rows' packed arguments for {@code rows} rows and {@code changes} changes. */
    static long sampleArgBytes(int rows, int changes) {
        return 8L * rows + 4L * (6L * rows + 1) + 20L * changes;
    }

    /**
     * Writes sample_rows' per-row arguments to {@code dst}: the uniforms (8-byte aligned) first, then the
     * 4-byte arrays, the changes sorted by row with {@code changeStart} ([rows + 1]) delimiting each row's.
     * Returns the {@value #SAMPLE_ARRAYS} byte offsets in the kernel's argument order (logitRows,
     * temperatures, topKs, topPs, minPs, uniforms, changeStart, changeTokens, changeSubtract, changeMask,
     * changeRepetition, changeBias).
     */
    static long[] packSample(SamplingBatch batch, LogitChanges changes, MemorySegment dst) {
        int n = batch.size();
        int m = changes.size();
        long[] offsets = new long[SAMPLE_ARRAYS];
        long at = 8L * n;
        int[] sizes = {n, n, n, n, n, 0, n + 1, m, m, m, m, m};
        for (int i = 0; i < SAMPLE_ARRAYS; i++) {
            if (i == 5) continue;
            offsets[i] = at;
            at += 4L * sizes[i];
        }
        MemorySegment.copy(batch.uniforms(), 0, dst, JAVA_DOUBLE, 0, n);
        MemorySegment.copy(batch.logitRows(), 0, dst, JAVA_INT, offsets[0], n);
        MemorySegment.copy(batch.temperatures(), 0, dst, JAVA_FLOAT, offsets[1], n);
        MemorySegment.copy(batch.topKs(), 0, dst, JAVA_INT, offsets[2], n);
        MemorySegment.copy(batch.topPs(), 0, dst, JAVA_FLOAT, offsets[3], n);
        MemorySegment.copy(batch.minPs(), 0, dst, JAVA_FLOAT, offsets[4], n);
        int[] start = new int[n + 1];
        for (int e : changes.entries()) start[e + 1]++;
        for (int r = 0; r < n; r++) start[r + 1] += start[r];
        MemorySegment.copy(start, 0, dst, JAVA_INT, offsets[6], n + 1);
        int[] next = Arrays.copyOf(start, n);
        for (int j = 0; j < m; j++) {
            long slot = 4L * next[changes.entries()[j]]++;
            dst.set(JAVA_INT, offsets[7] + slot, changes.tokens()[j]);
            dst.set(JAVA_FLOAT, offsets[8] + slot, changes.subtract()[j]);
            dst.set(JAVA_INT, offsets[9] + slot, changes.mask()[j] ? 1 : 0);
            dst.set(JAVA_FLOAT, offsets[10] + slot, changes.repetition()[j]);
            dst.set(JAVA_FLOAT, offsets[11] + slot, changes.bias()[j]);
        }
        return offsets;
    }

    private static int vocab(String op, CudaTensor logits) {
        if (logits.shape().length != 2 || logits.cols() == 0) {
            throw new IllegalArgumentException(op + ": logits " + logits + " must be [rows, vocab]");
        }
        return Math.toIntExact(logits.cols());
    }

    private static void checkRows(String op, int[] rows, long limit) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= limit) {
                throw new IllegalArgumentException(op + ": logit row " + rows[i] + " of entry " + i + " outside [0, "
                        + limit + ")");
            }
        }
    }

    private static void checkTokens(String op, int[] tokens, int vocab) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException(op + ": token " + tokens[i] + " of entry " + i + " outside [0, "
                        + vocab + ")");
            }
        }
    }

    /** Entries must name batch rows and tokens the vocabulary, each (row, token) at most once: blocks write in parallel. */
    private static void checkChanges(LogitChanges changes, int rows, int vocab) {
        checkTokens("sample: logit changes", changes.tokens(), vocab);
        long[] pairs = new long[changes.size()];
        for (int j = 0; j < pairs.length; j++) {
            int e = changes.entries()[j];
            if (e < 0 || e >= rows) {
                throw new IllegalArgumentException("sample: logit change " + j + " names entry " + e + " of a batch of "
                        + rows);
            }
            pairs[j] = (long) e << 32 | changes.tokens()[j];
        }
        Arrays.sort(pairs);
        for (int j = 1; j < pairs.length; j++) {
            if (pairs[j] == pairs[j - 1]) {
                throw new IllegalArgumentException("sample: logit changes repeat token " + (int) pairs[j] + " of entry "
                        + (pairs[j] >>> 32));
            }
        }
    }

    @Override
    public void close() {
        work.release();
        args.release();
        results.release();
        argmaxPartials.release();
        argmaxCounters.release();
        hostArgs.release();
        hostResults.release();
        for (PinnedBuffer b : asyncArgs) b.release();
    }

    /** Device scratch kept across calls and grown (doubling) when a call needs more. */
    private static final class DeviceBuffer {
        private final CudaBackend backend;
        private final String what;
        private long ptr;
        private long bytes;

        DeviceBuffer(CudaBackend backend, String what) {
            this.backend = backend;
            this.what = what;
        }

        long ensure(long needed) {
            if (needed > bytes) {
                release();
                long size = Math.max(needed, 2 * bytes);
                ptr = backend.scratch(size, what);
                bytes = size;
            }
            return ptr;
        }

        /** {@link #ensure}, with a grown buffer zeroed on the stream. */
        long ensureZeroed(long needed) {
            long before = bytes;
            long p = ensure(needed);
            if (bytes != before) CudaDriver.memset(p, (byte) 0, bytes, backend.stream());
            return p;
        }

        void release() {
            if (ptr != 0) backend.releaseScratch(ptr, bytes);
            ptr = 0;
            bytes = 0;
        }
    }
}
