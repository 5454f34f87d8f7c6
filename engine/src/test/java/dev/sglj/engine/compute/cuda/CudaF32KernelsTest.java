package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.F32_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static dev.sglj.engine.compute.cuda.GpuData.f32Uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cpu.CpuBackend;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every non-attention op of the F32 compute path ({@code --dtype float32}) against the CPU backend on
 * identical full-precision F32 inputs: {@value GpuData#F32_TOLERANCE} relative (norm-wise), which BF16
 * rounding or TF32 GEMMs would break; copies and weight conversions exact.
 */
@Tag("gpu")
class CudaF32KernelsTest {
    static CudaBackend gpu;
    static CpuBackend cpu;
    final Random random = new Random(4242);

    @BeforeAll
    static void start() {
        gpu = new CudaBackend(DType.F32);
        cpu = new CpuBackend(2);
        System.out.println("device " + gpu.deviceInfo() + "; " + gpu.kernelCompileSummary());
    }

    @AfterAll
    static void stop() {
        gpu.close();
        cpu.close();
    }

    @Test
    void computesInF32() {
        assertThat(gpu.activationDtype()).isEqualTo(DType.F32);
    }

    @Test
    void weightsOfEveryCheckpointDtypeBecomeExactF32() {
        float[] values = {1f, -2.5f, 3.140625f, 1.2345678f, 65504f, -0f, 1e-3f, 3.3e-6f};
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                Tensor t = gpu.weight(GpuData.encode(arena, "w", dtype, values, 2, 4));
                assertThat(t.dtype()).isEqualTo(DType.F32);
                assertThat(gpu.toHost(t)).as(dtype.toString()).containsExactly(stored(dtype, values));
            }
        }
    }

    @ParameterizedTest(name = "{0} parts")
    @ValueSource(strings = {"F32", "BF16", "F16"})
    void rowStackedWeightsLandInTheirRowRanges(DType dtype) {
        int in = 40;
        int[] partRows = {24, 8, 8};
        try (Arena arena = Arena.ofConfined()) {
            List<HostTensor> parts = new ArrayList<>();
            float[] expected = new float[0];
            for (int p = 0; p < partRows.length; p++) {
                float[] w = f32Uniform(random, partRows[p] * in, 1f);
                parts.add(GpuData.encode(arena, "w" + p, dtype, w, partRows[p], in));
                float[] part = stored(dtype, w);
                int at = expected.length;
                expected = Arrays.copyOf(expected, at + part.length);
                System.arraycopy(part, 0, expected, at, part.length);
            }
            Tensor t = gpu.weightRows("qkv", parts);
            assertThat(t.dtype()).isEqualTo(DType.F32);
            assertThat(t.shape()).containsExactly(40, in);
            assertThat(gpu.toHost(t)).containsExactly(expected);
        }
    }

    /** {@code values} as a checkpoint of {@code dtype} stores them, read back as floats. */
    private static float[] stored(DType dtype, float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = switch (dtype) {
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                case BF16 -> Bf16.round(values[i]);
                default -> values[i];
            };
        }
        return out;
    }

    @Test
    void dummyWeightsAreF32FilledOnTheDevice() {
        Tensor t = gpu.dummyWeight("dummy", DType.BF16, new long[] {1000, 100}, 7, 1e-3f, 0f);
        assertThat(t.dtype()).isEqualTo(DType.F32);
        float[] v = gpu.toHost(t);
        double sum = 0;
        float max = 0;
        int notBf16 = 0;
        for (float f : v) {
            sum += f;
            max = Math.max(max, Math.abs(f));
            if (Bf16.round(f) != f) notBf16++;
        }
        assertThat(max).isLessThanOrEqualTo(1e-3f).isGreaterThan(9e-4f);
        assertThat(Math.abs(sum / v.length)).isLessThan(2e-5);
        assertThat(notBf16).as("values keep F32 precision").isGreaterThan(v.length / 2);
        assertThat(gpu.toHost(gpu.dummyWeight("norm", DType.F32, new long[] {10}, 0, 0f, 1.5f))).containsOnly(1.5f);
    }

    @Test
    void embeddingGathersExactRows() {
        int vocab = 100;
        int hidden = 96;
        float[] table = f32Uniform(random, vocab * hidden, 1f);
        int[] ids = {3, 0, 99, 3, 57};
        try (Arena arena = Arena.ofShared()) {
            Tensor gt = gpu.weight(GpuData.hostF32(arena, "embed", table, vocab, hidden));
            Tensor go = gpu.allocate(DType.F32, ids.length, hidden);
            gpu.embedding(gt, gpu.ints(ids), go);
            Tensor co = cpu.allocate(DType.F32, ids.length, hidden);
            cpu.embedding(cpu.floats(table, vocab, hidden), cpu.ints(ids), co);
            assertThat(gpu.toHost(go)).containsExactly(cpu.toHost(co));
        }
        assertThatThrownBy(() -> gpu.embedding(gpu.floats(new float[8], 2, 4), gpu.ints(new int[] {2}),
                gpu.allocate(DType.F32, 1, 4))).hasMessageContaining("ids[0] = 2 outside [0, 2)");
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {16, 128, 4096})
    void rmsNormPerRowAndPerHead(int group) {
        int rows = 7;
        int cols = 4096;
        float[] x = f32Uniform(random, rows * cols, 3f);
        float[] w = f32Uniform(random, group, 2f);
        Tensor go = gpu.allocate(DType.F32, rows, cols);
        gpu.rmsNorm(gpu.floats(x, rows, cols), gpu.floats(w, group), 1e-6f, go);
        Tensor co = cpu.allocate(DType.F32, rows, cols);
        cpu.rmsNorm(cpu.floats(x, rows, cols), cpu.floats(w, group), 1e-6f, co);
        assertClose("f32 rmsNorm group " + group, gpu.toHost(go), cpu.toHost(co), F32_TOLERANCE);
    }

    @Test
    void addRmsNormUpdatesResidual() {
        int rows = 5;
        int cols = 1000;
        float[] x = f32Uniform(random, rows * cols, 1f);
        float[] res = f32Uniform(random, rows * cols, 1f);
        float[] w = f32Uniform(random, cols, 1f);
        Tensor gr = gpu.floats(res, rows, cols);
        Tensor go = gpu.allocate(DType.F32, rows, cols);
        gpu.addRmsNorm(gpu.floats(x, rows, cols), gr, gpu.floats(w, cols), 1e-5f, go);
        Tensor cr = cpu.floats(res, rows, cols);
        Tensor co = cpu.allocate(DType.F32, rows, cols);
        cpu.addRmsNorm(cpu.floats(x, rows, cols), cr, cpu.floats(w, cols), 1e-5f, co);
        assertThat(gpu.toHost(gr)).as("residual: one F32 add per element").containsExactly(cpu.toHost(cr));
        assertClose("f32 addRmsNorm out", gpu.toHost(go), cpu.toHost(co), F32_TOLERANCE);
    }

    /** The shapes of CudaKernelsTest's linear (GEMV and cuBLAS sizes there; SGEMM for all here). */
    @ParameterizedTest(name = "{0} rows of {1} to {2}")
    @CsvSource({"1, 384, 200", "3, 384, 200", "8, 384, 200", "1, 1024, 5000", "2, 1024, 5000", "5, 1024, 5000",
            "9, 384, 200", "64, 384, 200", "257, 384, 200", "2, 100, 200", "4, 1032, 77", "1, 8, 3", "2, 4104, 1001",
            "3, 14336, 300", "4, 4096, 6144", "1, 4096, 1031"})
    void linearBySgemmWithBias(int rows, int in, int out) {
        float[] x = f32Uniform(random, rows * in, 1f);
        float[] w = f32Uniform(random, out * in, 0.1f);
        float[] b = f32Uniform(random, out, 1f);
        try (Arena arena = Arena.ofShared()) {
            Tensor gw = gpu.weight(GpuData.hostF32(arena, "w", w, out, in));
            Tensor gb = gpu.weight(GpuData.hostF32(arena, "b", b, out));
            Tensor gx = gpu.floats(x, rows, in);
            Tensor cx = cpu.floats(x, rows, in);
            Tensor cw = cpu.weight(GpuData.hostF32(arena, "w", w, out, in));
            Tensor cb = cpu.weight(GpuData.hostF32(arena, "b", b, out));
            Tensor co = cpu.allocate(DType.F32, rows, out);
            cpu.linear(cx, cw, cb, co);
            Tensor go = gpu.allocate(DType.F32, rows, out);
            gpu.linear(gx, gw, gb, go);
            assertClose("f32 linear, bias, " + rows + "x" + in + " to " + out, gpu.toHost(go), cpu.toHost(co),
                    F32_TOLERANCE);
            cpu.linear(cx, cw, null, co);
            gpu.linear(gx, gw, null, go);
            assertClose("f32 linear, " + rows + "x" + in + " to " + out, gpu.toHost(go), cpu.toHost(co), F32_TOLERANCE);
        }
    }

    @ParameterizedTest(name = "{0} tokens, {1} q heads, {2} kv heads, head dim {3}, norms {4}")
    @CsvSource({"9, 4, 2, 16, false", "9, 4, 2, 16, true", "1, 32, 8, 128, false", "300, 32, 8, 128, true",
            "7, 8, 2, 64, false", "5, 4, 2, 256, true", "3, 2, 1, 6, true"})
    void qkvToCacheMatchesTheCpu(int tokens, int heads, int kvHeads, int headDim, boolean norms) {
        int slots = tokens + 20;
        int tableRows = 64;
        int qWidth = heads * headDim;
        int kvWidth = kvHeads * headDim;
        int width = qWidth + 2 * kvWidth;
        float[] qkv = f32Uniform(random, tokens * width, 3f);
        float[] table = cosSinTable(tableRows, headDim);
        float[] qNorm = f32Uniform(random, headDim, 2f);
        float[] kNorm = f32Uniform(random, headDim, 2f);
        int[] positions = new int[tokens];
        for (int n = 0; n < tokens; n++) positions[n] = random.nextInt(tableRows);
        int[] slotOf = Arrays.copyOf(GpuData.permutation(random, slots), tokens);

        Tensor gq = gpu.allocate(DType.F32, tokens, qWidth);
        Tensor gk = gpu.allocate(DType.F32, slots, kvWidth);
        Tensor gv = gpu.allocate(DType.F32, slots, kvWidth);
        gpu.qkvToCache(gpu.floats(qkv, tokens, width), heads, kvHeads, headDim,
                norms ? gpu.floats(qNorm, headDim) : null, norms ? gpu.floats(kNorm, headDim) : null, 1e-6f,
                gpu.ints(positions), gpu.floats(table, tableRows, headDim), gq, gk, gv, gpu.ints(slotOf));
        Tensor cq = cpu.allocate(DType.F32, tokens, qWidth);
        Tensor ck = cpu.allocate(DType.F32, slots, kvWidth);
        Tensor cv = cpu.allocate(DType.F32, slots, kvWidth);
        cpu.qkvToCache(cpu.floats(qkv, tokens, width), heads, kvHeads, headDim,
                norms ? cpu.floats(qNorm, headDim) : null, norms ? cpu.floats(kNorm, headDim) : null, 1e-6f,
                cpu.ints(positions), cpu.floats(table, tableRows, headDim), cq, ck, cv, cpu.ints(slotOf));
        String what = "f32 qkvToCache " + tokens + "x" + heads + "/" + kvHeads + "x" + headDim + (norms ? " norms" : "");
        assertClose(what + " q", gpu.toHost(gq), cpu.toHost(cq), F32_TOLERANCE);
        assertClose(what + " k cache", gpu.toHost(gk), cpu.toHost(ck), F32_TOLERANCE);
        assertThat(gpu.toHost(gv)).as(what + " v cache").isEqualTo(cpu.toHost(cv));
    }

    private static float[] cosSinTable(int rows, int headDim) {
        int half = headDim / 2;
        float[] t = new float[rows * headDim];
        for (int p = 0; p < rows; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / headDim);
                t[p * headDim + i] = (float) Math.cos(angle);
                t[p * headDim + half + i] = (float) Math.sin(angle);
            }
        }
        return t;
    }

    @ParameterizedTest(name = "{0} rows of {1}")
    @CsvSource({"1, 3000", "6, 3000", "300, 128", "2, 7"})
    void siluAndMulMatchesTheCpu(int rows, int inter) {
        float[] gateUp = f32Uniform(random, rows * 2 * inter, 6f);
        Tensor go = gpu.allocate(DType.F32, rows, inter);
        gpu.siluAndMul(gpu.floats(gateUp, rows, 2 * inter), go);
        Tensor co = cpu.allocate(DType.F32, rows, inter);
        cpu.siluAndMul(cpu.floats(gateUp, rows, 2 * inter), co);
        assertClose("f32 siluAndMul " + rows + "x" + inter, gpu.toHost(go), cpu.toHost(co), F32_TOLERANCE);
    }

    @Test
    void gatherRowsMovesExactValues() {
        float[] k = f32Uniform(random, 40 * 48, 1f);
        int[] rows = {7, 39, 39, 1};
        Tensor g = gpu.allocate(DType.F32, rows.length, 48);
        gpu.gatherRows(gpu.floats(k, 40, 48), gpu.ints(rows), g);
        Tensor c = cpu.allocate(DType.F32, rows.length, 48);
        cpu.gatherRows(cpu.floats(k, 40, 48), cpu.ints(rows), c);
        assertThat(gpu.toHost(g)).containsExactly(cpu.toHost(c));
    }

    @Test
    void bf16OperandsAreRefused() {
        Tensor bf = gpu.upload(new float[8], DType.BF16, 2, 4);
        assertThatThrownBy(() -> gpu.rmsNorm(bf, gpu.floats(new float[4], 4), 1e-6f, gpu.allocate(DType.F32, 2, 4)))
                .hasMessageContaining("must be one of [F32]");
        assertThatThrownBy(() -> gpu.linear(gpu.floats(new float[8], 2, 4), bf, null, gpu.allocate(DType.F32, 2, 2)))
                .hasMessageContaining("must be one of [F32]");
    }

    @Test
    void graphReplaysCapturedF32KernelsOnNewInputs() {
        int vocab = 64;
        int hidden = 256;
        int out = 128;
        float[] table = f32Uniform(random, vocab * hidden, 1f);
        float[] w = f32Uniform(random, out * hidden, 0.1f);
        float[] norm = f32Uniform(random, hidden, 1f);
        Tensor gt = gpu.floats(table, vocab, hidden);
        Tensor gw = gpu.floats(w, out, hidden);
        Tensor gn = gpu.floats(norm, hidden);
        Tensor ids = gpu.ints(new int[] {1, 2, 3, 4});
        Tensor h = gpu.allocate(DType.F32, 4, hidden);
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
            Tensor ch = cpu.allocate(DType.F32, 4, hidden);
            cpu.embedding(cpu.floats(table, vocab, hidden), cpu.ints(next), ch);
            cpu.rmsNorm(ch, cpu.floats(norm, hidden), 1e-6f, ch);
            Tensor cy = cpu.allocate(DType.F32, 4, out);
            cpu.linear(ch, cpu.floats(w, out, hidden), null, cy);
            assertClose("f32 graph replay vs CPU", replayed, cpu.toHost(cy), F32_TOLERANCE);
        }
    }

    @Test
    void kernelCacheHoldsTheF32Sources(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        int sources = Kernels.sources(DType.F32).size();
        try (CudaBackend first = new CudaBackend(0, dir, DType.F32)) {
            assertThat(first.kernelCompileSummary()).contains("compiled " + sources).contains("cache 0");
        }
        try (CudaBackend second = new CudaBackend(0, dir, DType.F32)) {
            assertThat(second.kernelCompileSummary()).contains("compiled 0").contains("cache " + sources);
        }
    }
}
