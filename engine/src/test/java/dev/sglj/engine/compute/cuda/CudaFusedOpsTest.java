package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.BF16_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static dev.sglj.engine.compute.cuda.GpuData.bf16Uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.ModelRunner;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernels of {@code fused.cu} and the fused weights against the CPU backend on identical
 * BF16-exact inputs (bound 1e-2 norm-wise, as {@link CudaKernelsTest}); copies must be exact.
 */
@Tag("gpu")
class CudaFusedOpsTest extends OnGpuAndCpu {
    final Random random = new Random(7);

    private Tensor gpuBf16(float[] values, long... shape) {
        return gpu.upload(values, DType.BF16, shape);
    }

    private static float[] cosSinTable(int rows, int headDim) {
        int half = headDim / 2;
        float[] t = new float[rows * headDim];
        for (int p = 0; p < rows; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / headDim);
                t[p * headDim + i] = (float) Math.cos(angle) * 1.1f;
                t[p * headDim + half + i] = (float) Math.sin(angle) * 1.1f;
            }
        }
        return t;
    }

    @ParameterizedTest(name = "{0} tokens, {1} q heads, {2} kv heads, head dim {3}, norms {4}")
    @CsvSource({"9, 4, 2, 16, false", "9, 4, 2, 16, true", "9, 4, 2, 32, true", "9, 4, 4, 16, false",
            "1, 32, 8, 128, false", "1, 16, 8, 128, true", "300, 32, 8, 128, true", "7, 8, 2, 64, false",
            "5, 4, 2, 256, true", "3, 2, 1, 6, true"})
    void qkvToCacheMatchesTheCpu(int tokens, int heads, int kvHeads, int headDim, boolean norms) {
        int slots = tokens + 20;
        int tableRows = 64;
        int qWidth = heads * headDim;
        int kvWidth = kvHeads * headDim;
        int width = qWidth + 2 * kvWidth;
        float[] qkv = bf16Uniform(random, tokens * width, 3f);
        float[] table = cosSinTable(tableRows, headDim);
        float[] qNorm = bf16Uniform(random, headDim, 2f);
        float[] kNorm = bf16Uniform(random, headDim, 2f);
        int[] positions = new int[tokens];
        int[] loc = GpuData.permutation(random, slots);
        for (int n = 0; n < tokens; n++) positions[n] = random.nextInt(tableRows);
        int[] slotOf = Arrays.copyOf(loc, tokens);

        Tensor gq = gpu.allocate(DType.BF16, tokens, qWidth);
        Tensor gk = gpu.allocate(DType.BF16, slots, kvWidth);
        Tensor gv = gpu.allocate(DType.BF16, slots, kvWidth);
        gpu.qkvToCache(gpuBf16(qkv, tokens, width), heads, kvHeads, headDim,
                norms ? gpuBf16(qNorm, headDim) : null, norms ? gpuBf16(kNorm, headDim) : null, 1e-6f,
                gpu.ints(positions), gpu.floats(table, tableRows, headDim), gq, gk, gv, gpu.ints(slotOf));
        Tensor cq = cpu.allocate(DType.F32, tokens, qWidth);
        Tensor ck = cpu.allocate(DType.F32, slots, kvWidth);
        Tensor cv = cpu.allocate(DType.F32, slots, kvWidth);
        cpu.qkvToCache(cpu.floats(qkv, tokens, width), heads, kvHeads, headDim,
                norms ? cpu.floats(qNorm, headDim) : null, norms ? cpu.floats(kNorm, headDim) : null, 1e-6f,
                cpu.ints(positions), cpu.floats(table, tableRows, headDim), cq, ck, cv, cpu.ints(slotOf));
        String what = "qkvToCache " + tokens + "x" + heads + "/" + kvHeads + "x" + headDim + (norms ? " norms" : "");
        assertClose(what + " q", gpu.toHost(gq), cpu.toHost(cq), BF16_TOLERANCE);
        assertClose(what + " k cache", gpu.toHost(gk), cpu.toHost(ck), BF16_TOLERANCE);
        assertThat(gpu.toHost(gv)).as(what + " v cache").isEqualTo(cpu.toHost(cv));
    }

    /** Without q/k norms, the paired form and the scalar form (q/k/v off the 4-byte boundary) store the same bits. */
    @ParameterizedTest(name = "{0} tokens, {1} q heads, {2} kv heads, head dim {3}")
    @CsvSource({"300, 32, 8, 128", "5, 4, 2, 256", "9, 4, 2, 16", "7, 8, 2, 64"})
    void qkvToCacheGivesTheSameBitsWithAndWithoutPairAccess(int tokens, int heads, int kvHeads, int headDim) {
        int tableRows = 64;
        int width = (heads + 2 * kvHeads) * headDim;
        float[] qkv = bf16Uniform(random, tokens * width, 3f);
        int[] positions = new int[tokens];
        for (int n = 0; n < tokens; n++) positions[n] = random.nextInt(tableRows);
        Tensor table = gpu.floats(cosSinTable(tableRows, headDim), tableRows, headDim);
        Tensor loc = gpu.ints(GpuData.permutation(random, tokens));
        List<float[]> paired = qkvToCacheOutputs(gpuBf16(qkv, tokens, width), heads, kvHeads, headDim, positions,
                table, loc);
        List<float[]> scalar = qkvToCacheOutputs(GpuData.bf16OffBoundary(gpu, qkv, tokens, width), heads, kvHeads,
                headDim, positions, table, loc);
        String[] names = {"q", "k cache", "v cache"};
        for (int t = 0; t < names.length; t++) {
            GpuData.assertSameBits(names[t] + ", paired against scalar", paired.get(t), scalar.get(t));
        }
    }

    /** q, the k cache and the v cache (one slot per token) after qkvToCache of {@code qkv} without q/k norms. */
    private List<float[]> qkvToCacheOutputs(Tensor qkv, int heads, int kvHeads, int headDim, int[] positions,
                                            Tensor table, Tensor loc) {
        long tokens = qkv.shape()[0];
        Tensor q = gpu.allocate(DType.BF16, tokens, (long) heads * headDim);
        Tensor k = gpu.allocate(DType.BF16, tokens, (long) kvHeads * headDim);
        Tensor v = gpu.allocate(DType.BF16, tokens, (long) kvHeads * headDim);
        gpu.qkvToCache(qkv, heads, kvHeads, headDim, null, null, 1e-6f, gpu.ints(positions), table, q, k, v, loc);
        return List.of(gpu.toHost(q), gpu.toHost(k), gpu.toHost(v));
    }

    @Test
    void qkvToCacheChecksItsOperands() {
        Tensor qkv = gpu.allocate(DType.BF16, 2, 32);
        Tensor q = gpu.allocate(DType.BF16, 2, 16);
        Tensor kc = gpu.allocate(DType.BF16, 4, 8);
        Tensor vc = gpu.allocate(DType.BF16, 4, 8);
        Tensor table = gpu.floats(new float[16], 2, 8);
        Tensor pos = gpu.ints(new int[] {0, 1});
        assertThatThrownBy(() -> gpu.qkvToCache(qkv, 2, 1, 8, null, null, 1e-6f, pos, table, q, kc, vc,
                gpu.ints(new int[] {3, 4}))).hasMessageContaining("outCacheLoc[1] = 4 outside [0, 4)");
        assertThatThrownBy(() -> gpu.qkvToCache(qkv, 2, 1, 8, null, null, 1e-6f, gpu.ints(new int[] {0, 2}), table,
                q, kc, vc, gpu.ints(new int[] {0, 1}))).hasMessageContaining("positions[1] = 2 outside [0, 2)");
        assertThatThrownBy(() -> gpu.qkvToCache(gpu.allocate(DType.BF16, 2, 1536), 2, 1, 384, null, null, 1e-6f,
                pos, table, q, kc, vc, gpu.ints(new int[] {0, 1}))).hasMessageContaining("[2, 256]");
    }

    @ParameterizedTest(name = "{0} rows of {1}")
    @CsvSource({"1, 3000", "6, 3000", "300, 128", "2, 7"})
    void siluAndMulOnFusedGateUpMatchesTheCpu(int rows, int inter) {
        float[] gateUp = bf16Uniform(random, rows * 2 * inter, 6f);
        Tensor go = gpu.allocate(DType.BF16, rows, inter);
        gpu.siluAndMul(gpuBf16(gateUp, rows, 2 * inter), go);
        Tensor co = cpu.allocate(DType.F32, rows, inter);
        cpu.siluAndMul(cpu.floats(gateUp, rows, 2 * inter), co);
        assertClose("siluAndMul " + rows + "x" + inter, gpu.toHost(go), cpu.toHost(co), BF16_TOLERANCE);
    }

    /** The 16-byte form and the scalar form (operands off the boundary) store the same bits. */
    @ParameterizedTest(name = "{0} rows of {1}")
    @CsvSource({"3, 14336", "70000, 16", "5, 8"})
    void siluAndMulGivesTheSameBitsWithAndWithoutVectorAccess(int rows, int inter) {
        float[] gateUp = bf16Uniform(random, rows * 2 * inter, 12f);
        Tensor vector = gpu.allocate(DType.BF16, rows, inter);
        gpu.siluAndMul(gpuBf16(gateUp, rows, 2 * inter), vector);
        Tensor scalar = gpu.allocate(DType.BF16, rows, inter);
        gpu.siluAndMul(GpuData.bf16OffBoundary(gpu, gateUp, rows, 2L * inter), scalar);
        GpuData.assertSameBits("siluAndMul " + rows + "x" + inter + ", 16-byte against scalar", gpu.toHost(vector),
                gpu.toHost(scalar));
    }

    @ParameterizedTest(name = "{0} rows of x, {1} parts")
    @CsvSource({"1, F32", "1, BF16", "3, F16", "64, BF16", "257, F32"})
    void rowConcatenatedWeightAndBiasMatchTheCpu(int rows, DType dtype) {
        int in = 384;
        int[] partRows = {256, 64, 64};
        float[] x = bf16Uniform(random, rows * in, 1f);
        try (Arena arena = Arena.ofShared()) {
            List<HostTensor> parts = new ArrayList<>();
            List<HostTensor> biases = new ArrayList<>();
            List<Float> expectedValues = new ArrayList<>();
            for (int p = 0; p < partRows.length; p++) {
                float[] w = bf16Uniform(random, partRows[p] * in, 0.1f);
                parts.add(GpuData.encode(arena, "w" + p, dtype, w, partRows[p], in));
                biases.add(GpuData.encode(arena, "b" + p, dtype, bf16Uniform(random, partRows[p], 1f), partRows[p]));
                for (float v : w) {
                    expectedValues.add(dtype == DType.F16 ? Bf16.round(Float.float16ToFloat(Float.floatToFloat16(v))) : v);
                }
            }
            int out = 384;
            Tensor gw = gpu.weightRows("qkv", parts);
            assertThat(gw.shape()).containsExactly(out, in);
            float[] uploaded = gpu.toHost(gw);
            for (int i = 0; i < uploaded.length; i++) {
                assertThat(uploaded[i]).as("element " + i).isEqualTo(expectedValues.get(i));
            }
            Tensor gb = gpu.weightRows("qkv bias", biases);
            Tensor go = gpu.allocate(DType.BF16, rows, out);
            gpu.linear(gpuBf16(x, rows, in), gw, gb, go);
            Tensor co = cpu.allocate(DType.F32, rows, out);
            cpu.linear(cpu.floats(x, rows, in), cpu.weightRows("qkv", parts), cpu.weightRows("qkv bias", biases), co);
            assertClose("fused linear " + rows + " rows " + dtype, gpu.toHost(go), cpu.toHost(co), BF16_TOLERANCE);
        }
    }

    @Test
    void dummyModelRunsFromWeightsFilledOnTheDevice() {
        long before = gpu.reservedBytes();
        try (LoadedModel model = ModelLoader.load(ModelFixtures.all().getFirst().dir(), LoadFormat.DUMMY);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, 64, 2, 32)) {
            ModelConfig config = model.config();
            assertThat(gpu.reservedBytes()).isGreaterThan(before);
            int[] prompt = {1, 2, 3, 4};
            int[] slots = runner.slots().alloc(prompt.length);
            runner.reqToToken().write(0, 0, slots);
            float[] logits = runner.forward(new ForwardBatch(ForwardMode.EXTEND, prompt, new int[] {0, 1, 2, 3},
                    new int[] {0}, new int[] {4}, new int[] {0}, new int[] {4}, slots, new int[] {3}, new int[] {4}));
            assertThat(logits).hasSize(config.vocabSize());
            for (float v : logits) assertThat(Float.isFinite(v)).isTrue();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : logits) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertThat(max).as("random weights give varied logits").isGreaterThan(min);
        }
    }
}
