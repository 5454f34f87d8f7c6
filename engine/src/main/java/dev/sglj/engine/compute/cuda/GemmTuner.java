package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.cuda.GemmPlans.GemmEx;
import dev.sglj.engine.compute.cuda.GemmPlans.Lt;
import dev.sglj.engine.compute.cuda.GemmPlans.Plan;
import dev.sglj.engine.compute.cuda.GemmPlans.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The BF16 backend's cuBLAS linears with a per-shape algorithm ({@link GemmPlans}). A shape that
 * {@link GemmPlans#tunes} runs its plan when it has one, else cublasGemmEx; inside {@link #tuning} a shape
 * without a plan is tuned first: cublasGemmEx and up to {@value #MAX_ALGOS} cuBLASLt heuristic algorithms
 * (those that fail are dropped) each run once, then {@value #TIMED_CALLS} timed rounds over all of them with
 * CUDA events, L2 flushed before every call (decode reads each weight from HBM once per step, a weight
 * timed hot in L2 would favour other algorithms; the flush also keeps the GPU busy while the call is queued,
 * so the host's launch cost, which a graph replay does not pay, is not timed); the lowest median wins and
 * runs once more, so the output is the plan's. Tuning synchronizes the stream, so it must not run inside a
 * stream capture.
 */
final class GemmTuner implements AutoCloseable {
    static final int MAX_ALGOS = 8;
    static final int TIMED_CALLS = 5;

    private static final System.Logger LOG = System.getLogger(GemmTuner.class.getName());

    private final Cublas cublas;
    private final CublasLt lt;
    private final GemmPlans plans;
    private final long stream;
    /** Bytes written between timed calls to evict the weights from L2 (twice its size; 0 when unavailable). */
    private long flushBytes;
    private final Arena arena = Arena.ofShared();
    /** The descriptors and native algorithm of each shape whose plan is a cuBLASLt algorithm, made on first use. */
    private final Map<Shape, Ready> ready = new HashMap<>();
    private boolean tuning;
    private int tuned;
    private long flush;
    private long startEvent;
    private long endEvent;

    private record Ready(CublasLt.Matmul matmul, MemorySegment algo) {}

    /**
     * The tuner over {@code cublas} and a cuBLASLt handle on the same stream and workspace, with the plans
     * saved for {@code gpuName} in {@code cacheDir}.
     */
    static GemmTuner open(Cublas cublas, long stream, long workspace, long workspaceBytes, Path cacheDir,
                          String gpuName, long l2Bytes) {
        long version = CublasLt.version();
        GemmPlans plans = GemmPlans.load(GemmPlans.file(cacheDir, gpuName, version), gpuName, version);
        return new GemmTuner(cublas, new CublasLt(stream, workspace, workspaceBytes), plans, stream, 2 * l2Bytes);
    }

    private GemmTuner(Cublas cublas, CublasLt lt, GemmPlans plans, long stream, long flushBytes) {
        this.cublas = cublas;
        this.lt = lt;
        this.plans = plans;
        this.stream = stream;
        this.flushBytes = flushBytes;
    }

    /** {@link Cublas#linear} by the shape's plan: {@code out[rows, outCols] = x[rows, k] * w[outCols, k]^T}. */
    void linear(long x, long w, long out, DType outDtype, int rows, int outCols, int k) {
        if (GemmPlans.tunes(DType.BF16, rows)) {
            Shape s = new Shape(rows, outCols, k, outDtype);
            Plan plan = plans.get(s);
            if (plan == null && tuning) plan = tune(s, x, w, out);
            if (plan instanceof Lt algo && runLt(s, algo, x, w, out)) return;
        }
        cublas.linear(x, w, out, outType(outDtype), rows, outCols, k);
    }

    private static int outType(DType out) {
        return out == DType.F32 ? Cublas.CUDA_R_32F : Cublas.CUDA_R_16BF;
    }

    /**
     * Runs a cuBLASLt plan; false when cuBLASLt rejects it (a plan file from another driver, say), after
     * which the shape runs cublasGemmEx.
     */
    private boolean runLt(Shape s, Lt algo, long x, long w, long out) {
        Ready r = ready.get(s);
        if (r == null) {
            CublasLt.Matmul m = lt.matmul(s.rows(), s.outCols(), s.k(), outType(s.out()));
            r = new Ready(m, arena.allocate(CublasLt.ALGO_BYTES, 8).copyFrom(MemorySegment.ofArray(algo.bytes())));
            ready.put(s, r);
        }
        try {
            lt.run(r.matmul(), r.algo(), x, w, out);
            return true;
        } catch (CudaException e) {
            LOG.log(System.Logger.Level.WARNING, "GEMM plan of " + s + " failed (" + e.getMessage()
                    + "); it runs cublasGemmEx from now on");
            lt.destroy(ready.remove(s).matmul());
            plans.put(s, new GemmEx(), "its cuBLASLt algorithm failed: " + e.getMessage());
            return false;
        }
    }

    /** Runs {@code work} with tuning on: shapes without a plan are tuned and the new plans saved at the end. */
    void tuning(Runnable work) {
        if (tuning) {
            work.run();
            return;
        }
        tuning = true;
        int before = tuned;
        long t0 = System.nanoTime();
        try {
            work.run();
        } finally {
            tuning = false;
            releaseTimers();
            if (tuned > before) {
                plans.save();
                LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "tuned %d GEMM shape(s) in %d ms (%s)",
                        tuned - before, (System.nanoTime() - t0) / 1_000_000, plans.file()));
            }
        }
    }

    boolean inTuning() {
        return tuning;
    }

    /** Shapes tuned since this tuner started. */
    int tunedShapes() {
        return tuned;
    }

    /** The plan of {@code s}, or null when it has none. */
    Plan plan(Shape s) {
        return plans.get(s);
    }

    /** One way to run the shape: cublasGemmEx ({@code algo} null) or a cuBLASLt algorithm. */
    private record Candidate(byte[] algo, MemorySegment nativeAlgo, double[] millis) {}

    private Plan tune(Shape s, long x, long w, long out) {
        CublasLt.Matmul m = lt.matmul(s.rows(), s.outCols(), s.k(), outType(s.out()));
        List<byte[]> algos;
        try {
            algos = lt.heuristics(m, MAX_ALGOS);
        } catch (CudaException e) {
            algos = List.of();
        }
        prepareTimers();
        try (Arena a = Arena.ofConfined()) {
            List<Candidate> candidates = new ArrayList<>();
            Candidate gemmEx = new Candidate(null, null, new double[TIMED_CALLS]);
            run(gemmEx, s, m, x, w, out);
            candidates.add(gemmEx);
            for (byte[] algo : algos) {
                MemorySegment seg = a.allocate(CublasLt.ALGO_BYTES, 8).copyFrom(MemorySegment.ofArray(algo));
                Candidate c = new Candidate(algo, seg, new double[TIMED_CALLS]);
                if (run(c, s, m, x, w, out)) candidates.add(c);
            }
            for (int call = 0; call < TIMED_CALLS; call++) {
                for (Candidate c : candidates) {
                    if (flush != 0) CudaDriver.memset(flush, (byte) 0, flushBytes, stream);
                    CudaDriver.recordEvent(startEvent, stream);
                    boolean ok = run(c, s, m, x, w, out);
                    CudaDriver.recordEvent(endEvent, stream);
                    c.millis()[call] = ok ? CudaDriver.elapsedMs(startEvent, endEvent) : Double.POSITIVE_INFINITY;
                }
            }
            Candidate best = gemmEx;
            for (Candidate c : candidates) {
                if (median(c.millis()) < median(best.millis())) best = c;
            }
            run(best, s, m, x, w, out);
            Plan plan = best.algo() == null ? new GemmEx() : Lt.of(best.algo());
            if (plan instanceof GemmEx) {
                lt.destroy(m);
            } else {
                ready.put(s, new Ready(m, arena.allocate(CublasLt.ALGO_BYTES, 8).copyFrom(best.nativeAlgo())));
            }
            plans.put(s, plan, String.format(Locale.ROOT, "%.2f us, cublasGemmEx %.2f us, %d of %d cuBLASLt algorithms ran",
                    1e3 * median(best.millis()), 1e3 * median(gemmEx.millis()), candidates.size() - 1,
                    algos.size()));
            tuned++;
            return plan;
        }
    }

    /** Queues one call of candidate {@code c}; false when cuBLASLt refuses its algorithm. */
    private boolean run(Candidate c, Shape s, CublasLt.Matmul m, long x, long w, long out) {
        if (c.algo() == null) {
            cublas.linear(x, w, out, outType(s.out()), s.rows(), s.outCols(), s.k());
            return true;
        }
        try {
            lt.run(m, c.nativeAlgo(), x, w, out);
            return true;
        } catch (CudaException e) {
            return false;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private void prepareTimers() {
        if (startEvent == 0) {
            startEvent = CudaDriver.createEvent();
            endEvent = CudaDriver.createEvent();
        }
        if (flush == 0 && flushBytes > 0) {
            try {
                flush = CudaDriver.malloc(flushBytes);
            } catch (CudaException e) {
                if (e.code() != 2) throw e;
                LOG.log(System.Logger.Level.WARNING, "no device memory for the L2 flush of GEMM tuning ("
                        + (flushBytes >> 20) + " MiB): weights may be timed from L2");
                flushBytes = 0;
            }
        }
    }

    private void releaseTimers() {
        if (startEvent != 0) {
            CudaDriver.synchronize(stream);
            CudaDriver.destroyEvent(startEvent);
            CudaDriver.destroyEvent(endEvent);
            startEvent = 0;
            endEvent = 0;
        }
        if (flush != 0) {
            CudaDriver.free(flush);
            flush = 0;
        }
    }

    @Override
    public void close() {
        plans.save();
        for (Ready r : ready.values()) lt.destroy(r.matmul());
        ready.clear();
        lt.close();
        arena.close();
    }
}
