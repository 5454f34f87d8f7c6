package dev.sglj.engine.compute.cpu;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput of {@code linear} (a program, not a test): effective weight bandwidth at batch 1 and
 * GFLOP/s at batch 32 for an [out, in] weight. Rotates over enough weight copies to defeat the
 * last-level cache, so batch-1 figures are DRAM reads.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes \
 *     dev.sglj.engine.compute.cpu.LinearBench [out in [threads [BF16,F16,F32]]]</pre>
 */
public final class LinearBench {
    private static final int COPIES = 8;

    public static void main(String[] args) {
        int out = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int in = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "linear [%d, %d], %d threads, %d-bit vectors, %d weight copies%n",
                out, in, threads, Vec.F.vectorBitSize(), COPIES);
        try (Arena arena = Arena.ofShared(); CpuBackend backend = new CpuBackend(threads)) {
            Random random = new Random(1);
            DType[] dtypes = args.length > 3
                    ? Arrays.stream(args[3].split(",")).map(DType::valueOf).toArray(DType[]::new)
                    : new DType[] {DType.BF16, DType.F16, DType.F32};
            warmUp(backend, arena, dtypes);
            for (DType dtype : dtypes) {
                Tensor[] weights = new Tensor[COPIES];
                for (int c = 0; c < COPIES; c++) {
                    MemorySegment s = arena.allocate((long) out * in * dtype.bytes(), 64);
                    for (long i = 0; i < out * (long) in; i++) {
                        float v = random.nextFloat() - 0.5f;
                        switch (dtype) {
                            case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, TestData.bf16Bits(v));
                            case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(v));
                            default -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
                        }
                    }
                    weights[c] = backend.weight(new HostTensor("w" + c, dtype, new long[] {out, in}, s));
                }
                for (int batch : new int[] {1, 32}) {
                    Tensor x = backend.floats(TestData.uniform(random, batch * in, 1f), batch, in);
                    Tensor y = backend.allocate(DType.F32, batch, out);
                    double[] seconds = time(() -> {
                        for (Tensor w : weights) {
                            backend.linear(x, w, null, y);
                        }
                    }, batch == 1 ? 1.0 : 2.0);
                    double bytes = (double) out * in * dtype.bytes() * COPIES;
                    double flops = 2.0 * batch * out * in * COPIES;
                    System.out.printf(Locale.ROOT, "%-4s batch %2d: median %8.3f ms %6.1f GB/s %6.1f GFLOP/s | best %8.3f ms"
                                    + " %6.1f GB/s %6.1f GFLOP/s (per weight)%n", dtype, batch,
                            seconds[0] * 1e3 / COPIES, bytes / seconds[0] / 1e9, flops / seconds[0] / 1e9,
                            seconds[1] * 1e3 / COPIES, bytes / seconds[1] / 1e9, flops / seconds[1] / 1e9);
                    backend.free(x);
                    backend.free(y);
                }
            }
            long t0 = System.nanoTime();
            int n = 2000;
            for (int i = 0; i < n; i++) {
                backend.free(backend.allocate(DType.F32, 1, 4096));
            }
            System.out.printf(Locale.ROOT, "allocate+free of a 16 KB tensor: %.1f us%n", (System.nanoTime() - t0) / 1e3 / n);
        }
    }

    /**
     * Runs every kernel on small shapes until compiled: interpreted Vector API code is about 1000x
     * slower, so the first calls on a big weight would otherwise take minutes.
     */
    private static void warmUp(CpuBackend backend, Arena arena, DType[] dtypes) {
        Random random = new Random(2);
        for (DType dtype : dtypes) {
            float[] w = TestData.uniform(random, 64 * 1024, 1f);
            Tensor weight = backend.weight(TestData.host(arena, "warm", dtype, w, 64, 1024));
            for (int batch : new int[] {1, 32}) {
                Tensor x = backend.floats(TestData.uniform(random, batch * 1024, 1f), batch, 1024);
                Tensor y = backend.allocate(DType.F32, batch, 64);
                time(() -> backend.linear(x, weight, null, y), 1.5);
                backend.free(x);
                backend.free(y);
            }
        }
    }

    /**
     * Median and fastest seconds of single runs over about 3 s after a warm-up of about
     * {@code warmupSeconds}. On a shared machine the fastest run is the one least disturbed.
     */
    private static double[] time(Runnable run, double warmupSeconds) {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < end) {
            run.run();
        }
        double[] runs = new double[10_000];
        int n = 0;
        end = System.nanoTime() + 3_000_000_000L;
        while (n < runs.length && (n < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            run.run();
            runs[n++] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(runs, 0, n);
        return new double[] {runs[n / 2], runs[0]};
    }
}
