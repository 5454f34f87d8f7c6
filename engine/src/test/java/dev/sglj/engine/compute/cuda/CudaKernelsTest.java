package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.BF16_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static dev.sglj.engine.compute.cuda.GpuData.bf16Uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each non-attention CUDA op against the CPU backend on identical BF16-exact inputs. The GPU rounds
 * its outputs to BF16, so results agree to ~2^-9 relative; the stated bound is 1e-2 (norm-wise).
 */
@Tag("gpu")
class CudaKernelsTest extends OnGpuAndCpu {
    final Random random = new Random(42);

    @BeforeAll
    static void describeDevice() {
        System.out.println("device " + gpu.deviceInfo() + "; " + gpu.kernelCompileSummary());
    }

    private Tensor gpuBf16(float[] values, long... shape) {
        return gpu.upload(values, DType.BF16, shape);
    }

    @Test
    void embeddingGathersRowsOfEveryWeightDtype() {
        int vocab = 100;
        int hidden = 96;
        float[] table = bf16Uniform(random, vocab * hidden, 1f);
        int[] ids = {3, 0, 99, 3, 57};
        try (Arena arena = Arena.ofShared()) {
            Tensor gt = gpu.weight(GpuData.hostF32(arena, "embed", table, vocab, hidden));
            Tensor ct = cpu.weight(GpuData.hostF32(arena, "embed", table, vocab, hidden));
            Tensor go = gpu.allocate(DType.BF16, ids.length, hidden);
            Tensor co = cpu.allocate(DType.F32, ids.length, hidden);
            gpu.embedding(gt, gpu.ints(ids), go);
            cpu.embedding(ct, cpu.ints(ids), co);
            assertThat(gpu.toHost(go)).containsExactly(cpu.toHost(co));
        }
        assertThatThrownBy(() -> gpu.embedding(gpuBf16(new float[8], 2, 4), gpu.ints(new int[] {2}),
                gpu.allocate(DType.BF16, 1, 4))).hasMessageContaining("ids[0] = 2 outside [0, 2)");
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {16, 128, 4096})
    void rmsNormPerRowAndPerHead(int group) {
        int rows = 7;
        int cols = 4096;
        float[] x = bf16Uniform(random, rows * cols, 3f);
        float[] w = bf16Uniform(random, group, 2f);
        try (Arena arena = Arena.ofShared()) {
            Tensor go = gpu.allocate(DType.BF16, rows, cols);
            gpu.rmsNorm(gpuBf16(x, rows, cols), gpu.weight(GpuData.hostF32(arena, "w", w, group)), 1e-6f, go);
            Tensor co = cpu.allocate(DType.F32, rows, cols);
            cpu.rmsNorm(cpu.floats(x, rows, cols), cpu.floats(w, group), 1e-6f, co);
            assertClose("rmsNorm group " + group, gpu.toHost(go), cpu.toHost(co), BF16_TOLERANCE);
        }
    }

    @Test
    void addRmsNormUpdatesResidual() {
        int rows = 5;
        int cols = 1000;
        float[] x = bf16Uniform(random, rows * cols, 1f);
        float[] res = bf16Uniform(random, rows * cols, 1f);
        float[] w = bf16Uniform(random, cols, 1f);
        Tensor gr = gpuBf16(res, rows, cols);
        Tensor go = gpu.allocate(DType.BF16, rows, cols);
        gpu.addRmsNorm(gpuBf16(x, rows, cols), gr, gpuBf16(w, cols), 1e-5f, go);
        Tensor cr = cpu.floats(res, rows, cols);
        Tensor co = cpu.allocate(DType.F32, rows, cols);
        cpu.addRmsNorm(cpu.floats(x, rows, cols), cr, cpu.floats(w, cols), 1e-5f, co);
        assertClose("addRmsNorm residual", gpu.toHost(gr), cpu.toHost(cr), BF16_TOLERANCE);
        assertClose("addRmsNorm out", gpu.toHost(go), cpu.toHost(co), BF16_TOLERANCE);
    }

    /**
     * add_rms_norm's 16-byte form (160 x 4,096, 3 x 32,768) and its scalar form (columns not a multiple of 8,
     * more vectors than a block holds, an operand off the 16-byte boundary) against the CPU; the residual sums
     * of both forms are the same bits.
     */
    @ParameterizedTest(name = "{0} x {1}, off the boundary {2}")
    @CsvSource({"160, 4096, false", "3, 32768, false", "2, 1004, false", "2, 32776, false", "160, 4096, true"})
    void addRmsNormWithAndWithoutVectorAccessMatchesTheCpu(int rows, int cols, boolean offBoundary) {
        float[] x = bf16Uniform(random, rows * cols, 1f);
        float[] res = bf16Uniform(random, rows * cols, 1f);
        float[] w = bf16Uniform(random, cols, 1f);
        Tensor gx = offBoundary ? GpuData.bf16OffBoundary(gpu, x, rows, cols) : gpuBf16(x, rows, cols);
        Tensor gr = gpuBf16(res, rows, cols);
        Tensor go = gpu.allocate(DType.BF16, rows, cols);
        gpu.addRmsNorm(gx, gr, gpuBf16(w, cols), 1e-5f, go);
        Tensor cr = cpu.floats(res, rows, cols);
        Tensor co = cpu.allocate(DType.F32, rows, cols);
        cpu.addRmsNorm(cpu.floats(x, rows, cols), cr, cpu.floats(w, cols), 1e-5f, co);
        assertClose("addRmsNorm out", gpu.toHost(go), cpu.toHost(co), BF16_TOLERANCE);
        float[] expected = new float[rows * cols];
        for (int i = 0; i < expected.length; i++) expected[i] = Bf16.round(x[i] + res[i]);
        GpuData.assertSameBits("residual against BF16(x + residual)", gpu.toHost(gr), expected);
    }

    @ParameterizedTest(name = "{0} rows of {1} to {2}")
    @CsvSource({"1, 384, 200", "3, 384, 200", "8, 384, 200", "1, 1024, 5000", "2, 1024, 5000", "5, 1024, 5000",
            "9, 384, 200", "64, 384, 200", "257, 384, 200", "2, 100, 200", "4, 1032, 77", "1, 8, 3", "2, 4104, 1001",
            "3, 14336, 300", "4, 4096, 6144", "1, 4096, 1031"})
    void linearByGemvOrCublasWithBiasAndF32Out(int rows, int in, int out) {
        float[] x = bf16Uniform(random, rows * in, 1f);
        float[] w = bf16Uniform(random, out * in, 0.1f);
        float[] b = bf16Uniform(random, out, 1f);
        try (Arena arena = Arena.ofShared()) {
            Tensor gw = gpu.weight(GpuData.hostF32(arena, "w", w, out, in));
            Tensor gb = gpu.weight(GpuData.hostF32(arena, "b", b, out));
            Tensor gx = gpuBf16(x, rows, in);
            Tensor cx = cpu.floats(x, rows, in);
            Tensor cw = cpu.weight(GpuData.hostF32(arena, "w", w, out, in));
            Tensor cb = cpu.weight(GpuData.hostF32(arena, "b", b, out));
            Tensor co = cpu.allocate(DType.F32, rows, out);
            cpu.linear(cx, cw, cb, co);
            float[] expected = cpu.toHost(co);
            Tensor bf = gpu.allocate(DType.BF16, rows, out);
            gpu.linear(gx, gw, gb, bf);
            assertClose("linear bf16 out, bias, " + rows + "x" + in + " to " + out, gpu.toHost(bf), expected,
                    BF16_TOLERANCE);
            Tensor f = gpu.allocate(DType.F32, rows, out);
            gpu.linear(gx, gw, null, f);
            cpu.linear(cx, cw, null, co);
            float[] expectedF32 = cpu.toHost(co);
            assertClose("linear f32 out, " + rows + "x" + in + " to " + out, gpu.toHost(f), expectedF32, 1e-4);
            if (rows <= Gemv.MAX_ROWS && in % 8 == 0) {
                gpu.linears().gemv((CudaTensor) gx, (CudaTensor) gw, null, (CudaTensor) f);
                assertClose("GEMV kernel f32 out, " + rows + "x" + in + " to " + out, gpu.toHost(f), expectedF32, 1e-4);
            }
        }
    }

    @Test
    void gatherRowsMovesExactValues() {
        int slots = 40;
        int width = 48;
        float[] k = bf16Uniform(random, slots * width, 1f);
        Tensor kc = gpuBf16(k, slots, width);
        Tensor ck = cpu.floats(k, slots, width);
        int[] rows = {7, 39, 39, 1};
        Tensor g = gpu.allocate(DType.BF16, rows.length, width);
        gpu.gatherRows(kc, gpu.ints(rows), g);
        Tensor c = cpu.allocate(DType.F32, rows.length, width);
        cpu.gatherRows(ck, cpu.ints(rows), c);
        assertThat(gpu.toHost(g)).containsExactly(cpu.toHost(c));
        float[] f = bf16Uniform(random, 10 * 3, 1f);
        Tensor gf = gpu.allocate(DType.F32, 2, 3);
        gpu.gatherRows(gpu.floats(f, 10, 3), gpu.ints(new int[] {9, 4}), gf);
        assertThat(gpu.toHost(gf)).containsExactly(f[27], f[28], f[29], f[12], f[13], f[14]);
    }

    @Test
    void weightsOfEveryCheckpointDtypeBecomeBf16() {
        float[] values = {1f, -2.5f, 3.140625f, 1e-3f, 65504f, -0f};
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                var host = GpuData.encode(arena, "w", dtype, values, 2, 3);
                Tensor t = gpu.weight(host);
                assertThat(t.dtype()).isEqualTo(DType.BF16);
                float[] expected = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    float stored = dtype == DType.F16 ? Float.float16ToFloat(Float.floatToFloat16(values[i])) : values[i];
                    expected[i] = Bf16.round(stored);
                }
                assertThat(gpu.toHost(t)).as(dtype.toString()).containsExactly(expected);
            }
        }
    }

    @Test
    void dummyWeightsAreFilledOnTheDevice() {
        Tensor t = gpu.dummyWeight("dummy", DType.BF16, new long[] {1000, 100}, 7, 1e-3f, 0f);
        float[] v = gpu.toHost(t);
        double sum = 0;
        float max = 0;
        for (float f : v) {
            sum += f;
            max = Math.max(max, Math.abs(f));
        }
        assertThat(max).isLessThanOrEqualTo(1.01e-3f).isGreaterThan(9e-4f);
        assertThat(Math.abs(sum / v.length)).isLessThan(2e-5);
        assertThat(gpu.toHost(gpu.dummyWeight("norm", DType.F32, new long[] {10}, 0, 0f, 1f))).containsOnly(1f);
    }

    @Test
    void outOfMemoryNamesTheNumbers() {
        assertThatThrownBy(() -> gpu.allocate(DType.BF16, 1L << 20, 1L << 20))
                .isInstanceOf(OutOfDeviceMemoryException.class)
                .hasMessageContaining("out of GPU memory allocating 2097152.0 MiB")
                .hasMessageContaining("free of");
    }

    @Test
    void graphReplaysCapturedKernelsOnNewInputs() {
        int vocab = 64;
        int hidden = 256;
        int out = 128;
        float[] table = bf16Uniform(random, vocab * hidden, 1f);
        float[] w = bf16Uniform(random, out * hidden, 0.1f);
        float[] norm = bf16Uniform(random, hidden, 1f);
        Tensor gt = gpuBf16(table, vocab, hidden);
        Tensor gw = gpuBf16(w, out, hidden);
        Tensor gn = gpuBf16(norm, hidden);
        Tensor ids = gpu.ints(new int[] {1, 2, 3, 4});
        Tensor h = gpu.allocate(DType.BF16, 4, hidden);
        Tensor y = gpu.allocate(DType.F32, 4, out);
        Runnable step = () -> {
            gpu.embedding(gt, ids, h);
            gpu.rmsNorm(h, gn, 1e-6f, h);
            gpu.linear(h, gw, null, y);
        };
        step.run();
        try (CudaGraph graph = gpu.capture(step)) {
            int[] next = {60, 0, 33, 33};
            gpu.writeInts(ids, 0, next, 0, 4);
            graph.replay();
            float[] replayed = gpu.toHost(y);
            step.run();
            assertThat(replayed).containsExactly(gpu.toHost(y));
            Tensor cpuIds = cpu.ints(next);
            Tensor ch = cpu.allocate(DType.F32, 4, hidden);
            cpu.embedding(cpu.floats(table, vocab, hidden), cpuIds, ch);
            cpu.rmsNorm(ch, cpu.floats(norm, hidden), 1e-6f, ch);
            Tensor cy = cpu.allocate(DType.F32, 4, out);
            cpu.linear(ch, cpu.floats(w, out, hidden), null, cy);
            assertClose("graph replay vs CPU", replayed, cpu.toHost(cy), BF16_TOLERANCE);
        }
    }

    @Test
    void scatterIntsSetsEachOffsetOnTheDevice() {
        int vocab = 8;
        int hidden = 64;
        Tensor table = gpuBf16(bf16Uniform(new Random(5), vocab * hidden, 1f), vocab, hidden);
        Tensor ids = gpu.ints(new int[6]);
        gpu.scatterInts(ids, new int[] {4, 1, 5}, new int[] {7, 3, 2});
        Tensor scattered = gpu.allocate(DType.BF16, 6, hidden);
        gpu.embedding(table, ids, scattered);
        Tensor expected = gpu.allocate(DType.BF16, 6, hidden);
        gpu.embedding(table, gpu.ints(new int[] {0, 3, 0, 0, 7, 2}), expected);
        assertThat(gpu.toHost(scattered)).containsExactly(gpu.toHost(expected));
        assertThatThrownBy(() -> gpu.scatterInts(ids, new int[] {6}, new int[] {1}))
                .hasMessageContaining("offset 6 outside [0, 6)");
    }

    @Test
    void kernelCacheServesTheSecondStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (CudaBackend first = new CudaBackend(0, dir)) {
            assertThat(first.kernelCompileSummary()).contains("compiled " + Kernels.SOURCES.size()).contains("cache 0");
        }
        try (CudaBackend second = new CudaBackend(0, dir)) {
            assertThat(second.kernelCompileSummary()).contains("compiled 0").contains("cache " + Kernels.SOURCES.size());
            System.out.println("  kernel cache: " + second.kernelCompileSummary());
        }
    }
}
