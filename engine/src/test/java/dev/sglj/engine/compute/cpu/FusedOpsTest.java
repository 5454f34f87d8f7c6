package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.UniformFill;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused ops against the unfused sequence they replace, bit for bit: qkvToCache vs separate q/k/v
 * rows, per-head rmsNorm, rotary embedding and copies into the caches; a row-concatenated weight vs
 * one linear per part; siluAndMul on the fused gate/up rows vs the separate halves.
 */
class FusedOpsTest {
    private static final float EPS = 1e-6f;

    private static CpuBackend backend;
    private static Arena arena;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(3);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        backend.close();
        arena.close();
    }

    private static float[] cosSinTable(int rows, int headDim, double base) {
        int half = headDim / 2;
        float[] t = new float[rows * headDim];
        for (int p = 0; p < rows; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(base, -2.0 * i / headDim);
                t[p * headDim + i] = (float) (Math.cos(angle) * 1.07);
                t[p * headDim + half + i] = (float) (Math.sin(angle) * 1.07);
            }
        }
        return t;
    }

    private static float[] columns(float[] rows, int count, int width, int from, int to) {
        float[] out = new float[count * (to - from)];
        for (int n = 0; n < count; n++) {
            System.arraycopy(rows, n * width + from, out, n * (to - from), to - from);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} q heads, {1} kv heads, head dim {2}, norms {3}")
    @CsvSource({"4, 2, 16, false", "4, 2, 16, true", "4, 2, 32, true", "3, 3, 40, false", "8, 2, 64, true",
            "4, 1, 128, true", "4, 1, 128, false", "2, 2, 6, true"})
    void qkvToCacheEqualsNormRopeAndStoreInSequence(int heads, int kvHeads, int headDim, boolean norms) {
        Random random = new Random(heads * 131L + headDim + (norms ? 7 : 0));
        int tokens = 11, slots = 37, tableRows = 60;
        int qWidth = heads * headDim, kvWidth = kvHeads * headDim, width = qWidth + 2 * kvWidth;
        float[] qkv = TestData.uniform(random, tokens * width, 3f);
        float[] table = cosSinTable(tableRows, headDim, 10000);
        float[] qNorm = TestData.roundTo(DType.BF16, TestData.uniform(random, headDim, 2f));
        float[] kNorm = TestData.roundTo(DType.BF16, TestData.uniform(random, headDim, 2f));
        int[] positions = {0, 59, 7, 7, 3, 20, 1, 2, 58, 30, 31};
        int[] loc = {36, 0, 5, 6, 12, 1, 2, 3, 30, 31, 4};
        Tensor cs = backend.floats(table, tableRows, headDim);
        Tensor qn = norms ? backend.weight(TestData.host(arena, "q_norm", DType.BF16, qNorm, headDim)) : null;
        Tensor kn = norms ? backend.weight(TestData.host(arena, "k_norm", DType.BF16, kNorm, headDim)) : null;

        Tensor q = backend.allocate(DType.F32, tokens, qWidth);
        Tensor kc = backend.allocate(DType.F32, slots, kvWidth);
        Tensor vc = backend.allocate(DType.F32, slots, kvWidth);
        backend.qkvToCache(backend.floats(qkv, tokens, width), heads, kvHeads, headDim, qn, kn, EPS,
                backend.ints(positions), cs, q, kc, vc, backend.ints(loc));

        CpuTensor q0 = (CpuTensor) backend.floats(columns(qkv, tokens, width, 0, qWidth), tokens, qWidth);
        CpuTensor k0 = (CpuTensor) backend.floats(columns(qkv, tokens, width, qWidth, qWidth + kvWidth), tokens, kvWidth);
        float[] v0 = columns(qkv, tokens, width, qWidth + kvWidth, width);
        if (norms) {
            backend.rmsNorm(q0, qn, EPS, q0);
            backend.rmsNorm(k0, kn, EPS, k0);
        }
        MemorySegment tableData = ((CpuTensor) cs).data();
        for (int n = 0; n < tokens; n++) {
            RowOps.ropeHeads(q0.data(), (long) n * qWidth, heads, headDim, tableData, (long) positions[n] * headDim);
            RowOps.ropeHeads(k0.data(), (long) n * kvWidth, kvHeads, headDim, tableData, (long) positions[n] * headDim);
        }
        float[] expectedK = new float[slots * kvWidth];
        float[] expectedV = new float[slots * kvWidth];
        float[] k0h = backend.toHost(k0);
        for (int n = 0; n < tokens; n++) {
            System.arraycopy(k0h, n * kvWidth, expectedK, loc[n] * kvWidth, kvWidth);
            System.arraycopy(v0, n * kvWidth, expectedV, loc[n] * kvWidth, kvWidth);
        }
        assertThat(backend.toHost(q)).containsExactly(backend.toHost(q0));
        assertThat(backend.toHost(kc)).containsExactly(expectedK);
        assertThat(backend.toHost(vc)).containsExactly(expectedV);
    }

    @Test
    void qkvToCacheRejectsMismatchedOperands() {
        Tensor q = backend.allocate(DType.F32, 2, 8);
        Tensor kc = backend.allocate(DType.F32, 4, 4);
        Tensor vc = backend.allocate(DType.F32, 4, 4);
        Tensor qkv = backend.allocate(DType.F32, 2, 16);
        Tensor pos = backend.ints(new int[] {0, 1});
        Tensor loc = backend.ints(new int[] {0, 1});
        Tensor table = backend.floats(new float[8], 2, 4);
        Tensor norm = backend.floats(new float[4], 4);
        assertThatThrownBy(() -> backend.qkvToCache(qkv, 2, 1, 4, norm, null, EPS, pos, table, q, kc, vc, loc))
                .hasMessageContaining("qNorm and kNorm must both be given");
        assertThatThrownBy(() -> backend.qkvToCache(qkv, 2, 2, 4, null, null, EPS, pos, table, q, kc, vc, loc))
                .hasMessageContaining("2 rows of 24");
        assertThatThrownBy(() -> backend.qkvToCache(qkv, 2, 1, 4, backend.floats(new float[3], 3), norm, EPS, pos,
                table, q, kc, vc, loc)).hasMessageContaining("qNorm").hasMessageContaining("headDim = 4");
    }

    static Stream<Arguments> linearCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            b.add(Arguments.of(dtype, 1, new int[] {32, 8, 8}, true));
            b.add(Arguments.of(dtype, 1, new int[] {13, 6, 6}, false));
            b.add(Arguments.of(dtype, 3, new int[] {20, 7, 7}, true));
            b.add(Arguments.of(dtype, 70, new int[] {9, 4, 4}, false));
            b.add(Arguments.of(dtype, 5, new int[] {64, 64}, false));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} tokens={1} parts={2} bias={3}")
    @MethodSource("linearCases")
    void concatenatedWeightEqualsOneLinearPerPart(DType dtype, int tokens, int[] rows, boolean withBias) {
        Random random = new Random(tokens * 17L + rows[0] + dtype.ordinal());
        int in = 1100;
        int out = 0;
        for (int r : rows) out += r;
        float[] x = TestData.uniform(random, tokens * in, 1f);
        Tensor xt = backend.floats(x, tokens, in);
        HostTensor[] parts = new HostTensor[rows.length];
        HostTensor[] biases = new HostTensor[rows.length];
        float[][] separate = new float[rows.length][];
        for (int p = 0; p < rows.length; p++) {
            parts[p] = TestData.host(arena, "w" + p, dtype, TestData.uniform(random, rows[p] * in, 0.5f), rows[p], in);
            biases[p] = TestData.host(arena, "b" + p, dtype, TestData.uniform(random, rows[p], 2f), rows[p]);
            Tensor o = backend.allocate(DType.F32, tokens, rows[p]);
            backend.linear(xt, backend.weight(parts[p]), withBias ? backend.weight(biases[p]) : null, o);
            separate[p] = backend.toHost(o);
        }
        Tensor fused = backend.weightRows("w", List.of(parts));
        Tensor fusedBias = withBias ? backend.weightRows("b", List.of(biases)) : null;
        assertThat(fused.shape()).containsExactly(out, in);
        Tensor o = backend.allocate(DType.F32, tokens, out);
        backend.linear(xt, fused, fusedBias, o);
        float[] actual = backend.toHost(o);
        int column = 0;
        for (int p = 0; p < rows.length; p++) {
            for (int n = 0; n < tokens; n++) {
                for (int c = 0; c < rows[p]; c++) {
                    assertThat(actual[n * out + column + c]).as("token %d part %d row %d", n, p, c)
                            .isEqualTo(separate[p][n * rows[p] + c]);
                }
            }
            column += rows[p];
        }
    }

    @Test
    void concatenatedWeightKeepsThePartsInPlace() {
        HostTensor a = TestData.host(arena, "q", DType.BF16, new float[] {1, 2, 3, 4}, 2, 2);
        HostTensor b = TestData.host(arena, "k", DType.BF16, new float[] {5, 6}, 1, 2);
        CpuTensor w = (CpuTensor) backend.weightRows("qkv", List.of(a, b));
        assertThat(w.parts()).extracting(MemorySegment::address)
                .containsExactly(a.data().address(), b.data().address());
        assertThat(w.shape()).containsExactly(3, 2);
        assertThat(backend.toHost(w)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(w::data).hasMessageContaining("row-concatenation of 2 parts");
        assertThatThrownBy(() -> backend.embedding(w, backend.ints(new int[] {0}), backend.allocate(DType.F32, 1, 2)))
                .hasMessageContaining("row-concatenation");
        HostTensor wide = TestData.host(arena, "v", DType.BF16, new float[3], 1, 3);
        assertThatThrownBy(() -> backend.weightRows("qkv", List.of(a, wide))).hasMessageContaining("does not stack");
        HostTensor f32 = TestData.host(arena, "v", DType.F32, new float[2], 1, 2);
        assertThatThrownBy(() -> backend.weightRows("qkv", List.of(a, f32))).hasMessageContaining("does not stack");
    }

    @Test
    void siluAndMulOnFusedRowsEqualsTheFormulaOnSeparateHalves() {
        Random random = new Random(9);
        int rows = 5, inter = 203;
        float[] gateUp = TestData.uniform(random, rows * 2 * inter, 6f);
        Tensor out = backend.allocate(DType.F32, rows, inter);
        backend.siluAndMul(backend.floats(gateUp, rows, 2 * inter), out);
        float[] actual = backend.toHost(out);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < inter; c++) {
                double g = gateUp[r * 2 * inter + c];
                double expected = g / (1 + Math.exp(-g)) * gateUp[r * 2 * inter + inter + c];
                assertThat((double) actual[r * inter + c]).isCloseTo(expected,
                        org.assertj.core.data.Offset.offset(1e-5 * Math.abs(expected) + 1e-6));
            }
        }
        assertThatThrownBy(() -> backend.siluAndMul(backend.allocate(DType.F32, 2, 7), backend.allocate(DType.F32, 2, 3)))
                .hasMessageContaining("2 * intermediate");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void dummyWeightIsTheSeededUniformFill(DType dtype) {
        long[] shape = {1500, 1000};
        CpuTensor t = (CpuTensor) backend.dummyWeight("w", dtype, shape, 42, 1e-3f, 0f);
        assertThat(t.dtype()).isEqualTo(dtype);
        assertThat(t.shape()).containsExactly(shape);
        MemorySegment expected = arena.allocate(1500L * 1000 * dtype.bytes());
        UniformFill.fill(expected, dtype, 42, 1e-3f, 0f);
        assertThat(t.data().mismatch(expected)).isEqualTo(-1);
        float[] v = backend.toHost(t);
        float max = 0;
        for (float f : v) max = Math.max(max, Math.abs(f));
        assertThat(max).isLessThanOrEqualTo(1.01e-3f).isGreaterThan(9e-4f);
        CpuTensor other = (CpuTensor) backend.dummyWeight("w", dtype, shape, 43, 1e-3f, 0f);
        assertThat(other.data().mismatch(t.data())).isNotEqualTo(-1);
        assertThat(backend.toHost(backend.dummyWeight("norm", dtype, new long[] {10}, 0, 0f, 1f))).containsOnly(1f);
    }
}
