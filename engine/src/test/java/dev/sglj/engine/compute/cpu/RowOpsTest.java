package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** rmsNorm, addRmsNorm, the rotary part of qkvToCache and siluAndMul against double-precision references. */
class RowOpsTest {
    private static final double REL = 1e-5;
    private static final double ABS = 1e-6;
    private static final float EPS = 1e-6f;

    private static CpuBackend backend;
    private static Arena arena;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        backend.close();
        arena.close();
    }

    private static double[] rmsNormReference(float[] x, float[] w, int cols) {
        int g = w.length;
        double[] out = new double[x.length];
        for (int start = 0; start < x.length; start += g) {
            double sq = 0;
            for (int i = 0; i < g; i++) {
                sq += (double) x[start + i] * x[start + i];
            }
            double inv = 1 / Math.sqrt(sq / g + EPS);
            for (int i = 0; i < g; i++) {
                out[start + i] = x[start + i] * inv * w[i];
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void rmsNormOverWholeRows(DType weightType) {
        Random random = new Random(1 + weightType.ordinal());
        int rows = 5, cols = 300;
        float[] x = TestData.uniform(random, rows * cols, 3f);
        float[] w = TestData.roundTo(weightType, TestData.uniform(random, cols, 2f));
        Tensor out = backend.allocate(DType.F32, rows, cols);
        backend.rmsNorm(backend.floats(x, rows, cols), backend.weight(TestData.host(arena, "norm", weightType, w, cols)),
                EPS, out);
        TestData.assertClose("rmsNorm", backend.toHost(out), rmsNormReference(x, w, cols), null, REL, ABS);
    }

    @Test
    void rmsNormPerHeadInPlace() {
        Random random = new Random(2);
        int rows = 7, heads = 6, headDim = 40;
        float[] x = TestData.uniform(random, rows * heads * headDim, 3f);
        float[] w = TestData.uniform(random, headDim, 2f);
        Tensor xt = backend.floats(x, rows, heads * headDim);
        backend.rmsNorm(xt, backend.floats(w, headDim), EPS, xt);
        TestData.assertClose("rmsNorm per head", backend.toHost(xt), rmsNormReference(x, w, heads * headDim), null,
                REL, ABS);
    }

    @Test
    void addRmsNormUpdatesResidualAndNormalises() {
        Random random = new Random(3);
        int rows = 9, cols = 77;
        float[] x = TestData.uniform(random, rows * cols, 1f);
        float[] residual = TestData.uniform(random, rows * cols, 1f);
        float[] w = TestData.roundTo(DType.BF16, TestData.uniform(random, cols, 2f));
        Tensor xt = backend.floats(x, rows, cols);
        Tensor rt = backend.floats(residual, rows, cols);
        Tensor out = backend.allocate(DType.F32, rows, cols);
        backend.addRmsNorm(xt, rt, backend.weight(TestData.host(arena, "norm", DType.BF16, w, cols)), EPS, out);
        float[] sum = new float[rows * cols];
        double[] sumD = new double[rows * cols];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = x[i] + residual[i];
            sumD[i] = sum[i];
        }
        TestData.assertClose("residual", backend.toHost(rt), sumD, null, 0, 0);
        TestData.assertClose("addRmsNorm", backend.toHost(out), rmsNormReference(sum, w, cols), null, REL, ABS);
    }

    @Test
    void qkvToCacheRotatesHalvesByPosition() {
        Random random = new Random(4);
        int rows = 6, heads = 3, kvHeads = 1, headDim = 40, maxPos = 50, slots = 10;
        int half = headDim / 2;
        int width = (heads + 2 * kvHeads) * headDim;
        float[] x = TestData.uniform(random, rows * width, 2f);
        float[] table = new float[maxPos * headDim];
        for (int p = 0; p < maxPos; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / headDim);
                table[p * headDim + i] = (float) Math.cos(angle);
                table[p * headDim + half + i] = (float) Math.sin(angle);
            }
        }
        int[] positions = {0, 49, 7, 7, 3, 20};
        int[] loc = {9, 0, 4, 5, 1, 2};
        Tensor q = backend.allocate(DType.F32, rows, heads * headDim);
        Tensor kc = backend.allocate(DType.F32, slots, kvHeads * headDim);
        Tensor vc = backend.allocate(DType.F32, slots, kvHeads * headDim);
        backend.qkvToCache(backend.floats(x, rows, width), heads, kvHeads, headDim, null, null, EPS,
                backend.ints(positions), backend.floats(table, maxPos, headDim), q, kc, vc, backend.ints(loc));
        double[] expectedQ = new double[rows * heads * headDim];
        double[] expectedK = new double[slots * kvHeads * headDim];
        float[] k = backend.toHost(kc);
        for (int n = 0; n < rows; n++) {
            for (int h = 0; h < heads + kvHeads; h++) {
                int src = n * width + h * headDim;
                int dst = h < heads ? (n * heads + h) * headDim : loc[n] * kvHeads * headDim + (h - heads) * headDim;
                double[] out = h < heads ? expectedQ : expectedK;
                for (int i = 0; i < half; i++) {
                    double cos = table[positions[n] * headDim + i];
                    double sin = table[positions[n] * headDim + half + i];
                    double a = x[src + i];
                    double b = x[src + half + i];
                    out[dst + i] = a * cos - b * sin;
                    out[dst + half + i] = b * cos + a * sin;
                }
            }
        }
        TestData.assertClose("rope q", backend.toHost(q), expectedQ, null, REL, ABS);
        TestData.assertClose("rope k", k, expectedK, null, REL, ABS);
    }

    @Test
    void siluAndMulReadsGateThenUpHalves() {
        Random random = new Random(5);
        int rows = 7, cols = 99;
        float[] gateUp = TestData.uniform(random, rows * 2 * cols, 6f);
        double[] expected = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double g = gateUp[r * 2 * cols + c];
                expected[r * cols + c] = g / (1 + Math.exp(-g)) * gateUp[r * 2 * cols + cols + c];
            }
        }
        Tensor out = backend.allocate(DType.F32, rows, cols);
        backend.siluAndMul(backend.floats(gateUp, rows, 2 * cols), out);
        TestData.assertClose("siluAndMul", backend.toHost(out), expected, null, REL, ABS);
    }
}
