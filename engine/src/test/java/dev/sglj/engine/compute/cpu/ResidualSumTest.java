package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.ResidualSum;
import dev.sglj.engine.compute.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The residual-stream ops as every backend gets them by default (the CPU's): the linear into the residual
 * leaves its add to the norm that reads it, which adds exactly once; the normed linears are the norm and
 * the plain ops in sequence, bit for bit.
 */
class ResidualSumTest {
    private static final float EPS = 1e-5f;
    private static CpuBackend backend;
    private final Random random = new Random(5);

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private Tensor uniform(int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = random.nextFloat() * 2 - 1;
        return backend.floats(v, rows, cols);
    }

    @Test
    void theLinearsAddIntoTheResidualOnceThroughTheNormThatReadsIt() {
        int m = 3, hidden = 24, width = 16, inter = 20;
        Tensor x = uniform(m, width);
        Tensor oProj = uniform(hidden, width);
        Tensor norm = uniform(1, hidden);
        Tensor qkvProj = uniform(32, hidden);
        Tensor gateUpProj = uniform(2 * inter, hidden);
        Tensor residual = uniform(m, hidden);
        float[] start = backend.toHost(residual);
        assertThat(backend.normStatistics(m, hidden)).isNull();

        Tensor delta = backend.allocate(DType.F32, m, hidden);
        ResidualSum sum = backend.linearIntoResidual(x, oProj, null, new ResidualSum.Stored(residual, null, 0), delta,
                null);
        assertThat(sum).isEqualTo(new ResidualSum.Deferred(residual, delta));
        assertThat(backend.toHost(residual)).containsExactly(start);

        Tensor normed = backend.allocate(DType.F32, m, hidden);
        Tensor qkv = backend.allocate(DType.F32, m, 32);
        backend.normedLinear(sum, norm, EPS, normed, qkvProj, null, qkv);

        Tensor expectedResidual = backend.floats(start, m, hidden);
        Tensor expectedDelta = backend.allocate(DType.F32, m, hidden);
        Tensor expectedNormed = backend.allocate(DType.F32, m, hidden);
        Tensor expectedQkv = backend.allocate(DType.F32, m, 32);
        backend.linear(x, oProj, null, expectedDelta);
        backend.addRmsNorm(expectedDelta, expectedResidual, norm, EPS, expectedNormed);
        backend.linear(expectedNormed, qkvProj, null, expectedQkv);
        assertThat(backend.toHost(residual)).containsExactly(backend.toHost(expectedResidual));
        assertThat(backend.toHost(qkv)).containsExactly(backend.toHost(expectedQkv));

        // Read again as a stored sum: the residual is already added, the norm alone remains.
        ResidualSum stored = new ResidualSum.Stored(residual, null, 0);
        Tensor gateUp = backend.allocate(DType.F32, m, 2 * inter);
        Tensor act = backend.allocate(DType.F32, m, inter);
        backend.normedGateUpSiluAndMul(stored, norm, EPS, normed, gateUpProj, gateUp, act);
        Tensor expectedGateUp = backend.allocate(DType.F32, m, 2 * inter);
        Tensor expectedAct = backend.allocate(DType.F32, m, inter);
        backend.rmsNorm(expectedResidual, norm, EPS, expectedNormed);
        backend.linear(expectedNormed, gateUpProj, null, expectedGateUp);
        backend.siluAndMul(expectedGateUp, expectedAct);
        assertThat(backend.toHost(residual)).containsExactly(backend.toHost(expectedResidual));
        assertThat(backend.toHost(act)).containsExactly(backend.toHost(expectedAct));
    }
}
