package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** linear against a double-precision scalar reference: every weight dtype, with and without bias, many shapes. */
class LinearTest {
    /** Relative to the sum of |x_i * w_i|: F32 accumulation over ~1000 terms stays far below this. */
    private static final double REL = 1e-5;
    private static final double ABS = 1e-6;

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

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            for (boolean bias : new boolean[] {false, true}) {
                // batch 1 (row split), small batches (tile tails), > NB tokens; in past KB with a vector tail
                b.add(Arguments.of(dtype, bias, 1, 1100, 13));
                b.add(Arguments.of(dtype, bias, 1, 64, 8));
                b.add(Arguments.of(dtype, bias, 3, 37, 5));
                b.add(Arguments.of(dtype, bias, 4, 1100, 13));
                b.add(Arguments.of(dtype, bias, 70, 300, 9));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} bias={1} tokens={2} in={3} out={4}")
    @MethodSource("cases")
    void matchesScalarReference(DType dtype, boolean withBias, int tokens, int in, int out) {
        Random random = new Random(31L * tokens + in * 7L + out + dtype.ordinal() * 1000L + (withBias ? 1 : 0));
        float[] x = TestData.uniform(random, tokens * in, 1f);
        float[] w = TestData.roundTo(dtype, TestData.uniform(random, out * in, 0.5f));
        float[] b = withBias ? TestData.roundTo(dtype, TestData.uniform(random, out, 2f)) : null;

        Tensor xt = backend.floats(x, tokens, in);
        Tensor wt = backend.weight(TestData.host(arena, "w", dtype, w, out, in));
        Tensor bt = withBias ? backend.weight(TestData.host(arena, "b", dtype, b, out)) : null;
        Tensor ot = backend.allocate(DType.F32, tokens, out);
        backend.linear(xt, wt, bt, ot);

        double[] expected = new double[tokens * out];
        double[] scale = new double[tokens * out];
        for (int n = 0; n < tokens; n++) {
            for (int o = 0; o < out; o++) {
                double sum = withBias ? b[o] : 0;
                double mag = withBias ? Math.abs(b[o]) : 0;
                for (int i = 0; i < in; i++) {
                    double term = (double) x[n * in + i] * w[o * in + i];
                    sum += term;
                    mag += Math.abs(term);
                }
                expected[n * out + o] = sum;
                scale[n * out + o] = mag;
            }
        }
        TestData.assertClose("linear", backend.toHost(ot), expected, scale, REL, ABS);
        backend.free(xt);
        backend.free(ot);
    }

    @Test
    void weightIsUsedInPlace() {
        HostTensor host = TestData.host(arena, "w", DType.BF16, new float[] {1, 2, 3, 4}, 2, 2);
        CpuTensor w = (CpuTensor) backend.weight(host);
        assertThat(w.data().address()).isEqualTo(host.data().address());
        assertThat(w.name()).isEqualTo("w");
    }

    @Test
    void singleThreadedBackendGivesTheSameBits() {
        Random random = new Random(5);
        int tokens = 6, in = 200, out = 21;
        float[] x = TestData.uniform(random, tokens * in, 1f);
        HostTensor w = TestData.host(arena, "w", DType.BF16, TestData.uniform(random, out * in, 1f), out, in);
        try (CpuBackend single = new CpuBackend(1)) {
            Tensor o1 = single.allocate(DType.F32, tokens, out);
            single.linear(single.floats(x, tokens, in), single.weight(w), null, o1);
            Tensor o2 = backend.allocate(DType.F32, tokens, out);
            backend.linear(backend.floats(x, tokens, in), backend.weight(w), null, o2);
            assertThat(backend.toHost(o2)).containsExactly(single.toHost(o1));
        }
    }

    @Test
    void rejectsMismatchedShapes() {
        Tensor x = backend.allocate(DType.F32, 2, 8);
        Tensor w = backend.weight(TestData.host(arena, "model.w", DType.F32, new float[7 * 3], 3, 7));
        Tensor out = backend.allocate(DType.F32, 2, 3);
        assertThatThrownBy(() -> backend.linear(x, w, null, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.w").hasMessageContaining("[out, 8]");
        Tensor w2 = backend.weight(TestData.host(arena, "w2", DType.F32, new float[8 * 3], 3, 8));
        Tensor wrongOut = backend.allocate(DType.F32, 2, 4);
        assertThatThrownBy(() -> backend.linear(x, w2, null, wrongOut))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rows of 3");
        Tensor bias = backend.allocate(DType.F32, 4);
        assertThatThrownBy(() -> backend.linear(x, w2, bias, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias");
        assertThatThrownBy(() -> backend.linear(x, w2, null, x))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
