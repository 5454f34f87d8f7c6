package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.BF16_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static dev.sglj.engine.compute.cuda.GpuData.bf16Uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.ResidualSum;
import dev.sglj.engine.compute.Tensor;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decode layer's norms and SiLU carried by the GEMV ({@link FusedLinears}) against the same ops
 * composed on the GPU (plain GEMV, add_rms_norm, rms_norm, silu_and_mul): the residual bit for bit, the
 * normed projections within {@link GpuData#BF16_TOLERANCE} (they round the normed input as rms_norm does;
 * only the order of the sum of squares differs), every result the same on a second run (the sums of
 * squares are added in fixed point, whatever the blocks' order).
 */
@Tag("gpu")
class CudaFusedLinearsTest extends OnGpu {
    final Random random = new Random(11);

    private Tensor bf16(float[] values, long... shape) {
        return gpu.upload(values, DType.BF16, shape);
    }

    private Tensor uniform(float range, long rows, long cols) {
        return bf16(bf16Uniform(random, Math.toIntExact(rows * cols), range), rows, cols);
    }

    private Tensor copy(Tensor t) {
        return bf16(gpu.toHost(t), t.shape());
    }

    /** A decode layer's MLP half at m rows: the o projection into the residual, then the normed gate/up. */
    @ParameterizedTest(name = "{0} rows, hidden {1}, attention width {2}, inter {3}, biases {4}")
    @CsvSource({"1, 256, 384, 320, false", "2, 256, 384, 320, true", "1, 136, 64, 72, true", "2, 136, 64, 72, false",
            "1, 4096, 4096, 14336, false", "2, 4096, 4096, 14336, false"})
    void fusedLayerMatchesTheComposedOps(int m, int hidden, int width, int inter, boolean biases) {
        Tensor x = uniform(1f, m, width);
        Tensor oProj = uniform(0.05f, hidden, width);
        Tensor oBias = biases ? uniform(0.5f, 1, hidden) : null;
        Tensor norm = uniform(1.5f, 1, hidden);
        Tensor qkvProj = uniform(0.05f, 3L * hidden / 2, hidden);
        Tensor qkvBias = biases ? uniform(0.5f, 1, 3L * hidden / 2) : null;
        Tensor gateUpProj = uniform(0.05f, 2L * inter, hidden);
        Tensor residual = uniform(2f, m, hidden);
        Tensor composedResidual = copy(residual);

        Tensor stats = gpu.normStatistics(m, hidden);
        assertThat(stats).as("statistics at " + m + " rows").isNotNull();
        Tensor unused = gpu.allocate(DType.BF16, m, hidden);
        ResidualSum start = new ResidualSum.Stored(residual, stats, 1);
        ResidualSum sum = gpu.linearIntoResidual(x, oProj, oBias, start, unused, stats);
        assertThat(sum).as("the slot after slot 1").isEqualTo(new ResidualSum.Stored(residual, stats, 0));

        Tensor delta = gpu.allocate(DType.BF16, m, hidden);
        Tensor normed = gpu.allocate(DType.BF16, m, hidden);
        gpu.linear(x, oProj, oBias, delta);
        gpu.addRmsNorm(delta, composedResidual, norm, 1e-5f, normed);
        assertThat(gpu.toHost(residual)).as("residual").containsExactly(gpu.toHost(composedResidual));
        assertSumsOfSquares(stats, 0, gpu.toHost(residual), m, hidden);

        Tensor qkv = gpu.allocate(DType.BF16, m, 3L * hidden / 2);
        Tensor composedQkv = gpu.allocate(DType.BF16, m, 3L * hidden / 2);
        gpu.normedLinear(sum, norm, 1e-5f, unused, qkvProj, qkvBias, qkv);
        gpu.linear(normed, qkvProj, qkvBias, composedQkv);
        assertClose("normed q/k/v projection, " + m + " rows", gpu.toHost(qkv), gpu.toHost(composedQkv), BF16_TOLERANCE);

        Tensor act = gpu.allocate(DType.BF16, m, inter);
        Tensor gateUp = gpu.allocate(DType.BF16, m, 2L * inter);
        Tensor composedAct = gpu.allocate(DType.BF16, m, inter);
        gpu.normedGateUpSiluAndMul(sum, norm, 1e-5f, unused, gateUpProj, gateUp, act);
        gpu.linear(normed, gateUpProj, null, gateUp);
        gpu.siluAndMul(gateUp, composedAct);
        assertClose("normed gate/up, SiLU-and-mul, " + m + " rows", gpu.toHost(act), gpu.toHost(composedAct),
                BF16_TOLERANCE);

        float[] again = gpu.toHost(qkv);
        float[] actAgain = gpu.toHost(act);
        gpu.normedLinear(sum, norm, 1e-5f, unused, qkvProj, qkvBias, qkv);
        gpu.normedGateUpSiluAndMul(sum, norm, 1e-5f, unused, gateUpProj, gateUp, act);
        assertThat(gpu.toHost(qkv)).as("q/k/v on a second run").containsExactly(again);
        assertThat(gpu.toHost(act)).as("gate/up on a second run").containsExactly(actAgain);
    }

    /** The q/k/v projection with RoPE and the cache writes in its epilogue, against the composed ops, bit for bit. */
    @ParameterizedTest(name = "{0} rows, {1} q heads, {2} kv heads, head dim {3}, bias {4}")
    @CsvSource({"1, 32, 8, 128, false", "2, 32, 8, 128, true", "1, 4, 2, 16, true", "2, 6, 3, 64, false"})
    void qkvEpilogueMatchesTheComposedOps(int m, int heads, int kvHeads, int headDim, boolean bias) {
        int hidden = 256, slots = 40, tableRows = 64;
        int rows = (heads + 2 * kvHeads) * headDim;
        Tensor norm = uniform(1.5f, 1, hidden);
        Tensor weight = uniform(0.05f, rows, hidden);
        Tensor qkvBias = bias ? uniform(0.5f, 1, rows) : null;
        float[] table = new float[tableRows * headDim];
        for (int i = 0; i < table.length; i++) table[i] = (float) Math.sin(0.37 * i);
        Tensor cosSin = gpu.floats(table, tableRows, headDim);
        Tensor positions = gpu.ints(m == 1 ? new int[] {37} : new int[] {5, 63});
        Tensor loc = gpu.ints(m == 1 ? new int[] {11} : new int[] {39, 0});
        Tensor residual = uniform(2f, m, hidden);
        Tensor stats = gpu.normStatistics(m, hidden);
        Tensor delta = gpu.allocate(DType.BF16, m, hidden);
        ResidualSum sum = gpu.linearIntoResidual(uniform(1f, m, 96), uniform(0.05f, hidden, 96), null,
                new ResidualSum.Stored(residual, null, 0), delta, stats);

        assertNormedQkvMatchesComposed(sum, residual, norm, weight, qkvBias,
                targets(heads, kvHeads, headDim, positions, cosSin, loc, m, slots),
                targets(heads, kvHeads, headDim, positions, cosSin, loc, m, slots));
    }

    /**
     * The embedding that sets its rows' sums of squares (twice, to show it sets rather than adds), then the first
     * layer's normed q/k/v projection, against embedding, rms_norm and the plain ops, bit for bit: the sum is
     * rms_norm's, in the same order. The o projection after it fills the other slot.
     */
    @ParameterizedTest(name = "{0} rows, hidden {1}")
    @CsvSource({"1, 256", "2, 256", "1, 4096", "2, 4096", "2, 136"})
    void embeddingLeavesTheFirstNormsStatistics(int m, int hidden) {
        int heads = 4, kvHeads = 2, headDim = 32, slots = 40, tableRows = 64;
        int rows = (heads + 2 * kvHeads) * headDim;
        Tensor embeddings = uniform(0.5f, 50, hidden);
        Tensor ids = gpu.ints(m == 1 ? new int[] {7} : new int[] {41, 7});
        Tensor residual = gpu.allocate(DType.BF16, m, hidden);
        Tensor stats = gpu.normStatistics(m, hidden);
        gpu.embeddingIntoResidual(embeddings, ids, residual, stats);
        ResidualSum sum = gpu.embeddingIntoResidual(embeddings, ids, residual, stats);
        assertThat(sum).isEqualTo(new ResidualSum.Stored(residual, stats, 0));
        Tensor composedResidual = gpu.allocate(DType.BF16, m, hidden);
        gpu.embedding(embeddings, ids, composedResidual);
        assertThat(gpu.toHost(residual)).as("residual").containsExactly(gpu.toHost(composedResidual));
        assertSumsOfSquares(stats, 0, gpu.toHost(residual), m, hidden);

        Tensor norm = uniform(1.5f, 1, hidden);
        Tensor weight = uniform(0.05f, rows, hidden);
        float[] angles = new float[tableRows * headDim];
        for (int i = 0; i < angles.length; i++) angles[i] = (float) Math.cos(0.21 * i);
        Tensor cosSin = gpu.floats(angles, tableRows, headDim);
        Tensor positions = gpu.ints(m == 1 ? new int[] {3} : new int[] {3, 60});
        Tensor loc = gpu.ints(m == 1 ? new int[] {9} : new int[] {9, 31});
        assertNormedQkvMatchesComposed(sum, composedResidual, norm, weight, null,
                targets(heads, kvHeads, headDim, positions, cosSin, loc, m, slots),
                targets(heads, kvHeads, headDim, positions, cosSin, loc, m, slots));

        ResidualSum next = gpu.linearIntoResidual(uniform(1f, m, 96), uniform(0.05f, hidden, 96), null, sum,
                gpu.allocate(DType.BF16, m, hidden), stats);
        assertThat(next).as("the o projection after the embedding")
                .isEqualTo(new ResidualSum.Stored(residual, stats, 1));
        assertSumsOfSquares(stats, 1, gpu.toHost(residual), m, hidden);
    }

    /**
     * The final norm and a tied lm_head (the embedding table) as one normed GEMV with F32 logits, against rms_norm
     * and the plain F32 GEMV: bit for bit on the embedding's statistics (rms_norm's sum), within
     * {@link GpuData#BF16_TOLERANCE} on a residual linear's (another order of the sum of squares).
     */
    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {1, 2})
    void finalNormAndLmHeadMakeF32Logits(int m) {
        int hidden = 256, vocab = 1001;
        Tensor embeddings = uniform(0.5f, vocab, hidden);
        Tensor ids = gpu.ints(m == 1 ? new int[] {1000} : new int[] {5, 1000});
        Tensor residual = gpu.allocate(DType.BF16, m, hidden);
        Tensor stats = gpu.normStatistics(m, hidden);
        Tensor norm = uniform(1.5f, 1, hidden);
        Tensor normed = gpu.allocate(DType.BF16, m, hidden);
        Tensor logits = gpu.allocate(DType.F32, m, vocab);
        Tensor composed = gpu.allocate(DType.F32, m, vocab);

        ResidualSum sum = gpu.embeddingIntoResidual(embeddings, ids, residual, stats);
        gpu.normedLinear(sum, norm, 1e-5f, normed, embeddings, null, logits);
        gpu.rmsNorm(residual, norm, 1e-5f, normed);
        gpu.linear(normed, embeddings, null, composed);
        assertThat(gpu.toHost(logits)).as("logits of the embedding").containsExactly(gpu.toHost(composed));

        ResidualSum down = gpu.linearIntoResidual(uniform(1f, m, 512), uniform(0.05f, hidden, 512), null, sum,
                gpu.allocate(DType.BF16, m, hidden), stats);
        gpu.normedLinear(down, norm, 1e-5f, normed, embeddings, null, logits);
        gpu.rmsNorm(residual, norm, 1e-5f, normed);
        gpu.linear(normed, embeddings, null, composed);
        assertClose("logits after a residual linear, " + m + " rows", gpu.toHost(logits), gpu.toHost(composed),
                BF16_TOLERANCE);
    }

    /**
     * normedQkvToCache of {@code sum} into {@code fused} against rms_norm of {@code residual}, the linear and
     * qkvToCache into {@code composed}: q and both caches bit for bit.
     */
    private static void assertNormedQkvMatchesComposed(ResidualSum sum, Tensor residual, Tensor norm, Tensor weight,
                                                       Tensor bias, QkvTargets fused, QkvTargets composed) {
        long m = residual.shape()[0];
        Tensor normed = gpu.allocate(DType.BF16, m, residual.shape()[1]);
        Tensor qkv = gpu.allocate(DType.BF16, m, weight.shape()[0]);
        gpu.normedQkvToCache(sum, norm, 1e-5f, normed, weight, bias, qkv, fused);
        gpu.rmsNorm(residual, norm, 1e-5f, normed);
        gpu.linear(normed, weight, bias, qkv);
        gpu.qkvToCache(qkv, composed.numHeads(), composed.numKvHeads(), composed.headDim(), null, null, 1e-5f,
                composed.positions(), composed.cosSin(), composed.q(), composed.kCache(), composed.vCache(),
                composed.outCacheLoc());
        assertThat(gpu.toHost(fused.q())).as("q").containsExactly(gpu.toHost(composed.q()));
        assertThat(gpu.toHost(fused.kCache())).as("k cache").containsExactly(gpu.toHost(composed.kCache()));
        assertThat(gpu.toHost(fused.vCache())).as("v cache").containsExactly(gpu.toHost(composed.vCache()));
    }

    private static QkvTargets targets(int heads, int kvHeads, int headDim, Tensor positions, Tensor cosSin, Tensor loc,
                                      int m, int slots) {
        return new QkvTargets(heads, kvHeads, headDim, null, null, positions, cosSin,
                gpu.allocate(DType.BF16, m, (long) heads * headDim),
                gpu.allocate(DType.BF16, slots, (long) kvHeads * headDim),
                gpu.allocate(DType.BF16, slots, (long) kvHeads * headDim), loc);
    }

    /**
     * Slot {@code slot} holds each row's sum of squares (within float rounding of the blocks' partial sums);
     * the other slot is cleared.
     */
    private static void assertSumsOfSquares(Tensor stats, int slot, float[] residual, int m, int hidden) {
        float[] words = gpu.toHost(stats);
        for (int n = 0; n < m; n++) {
            double expected = 0;
            for (int i = 0; i < hidden; i++) expected += (double) residual[n * hidden + i] * residual[n * hidden + i];
            int cell = (slot * m + n) * 2;
            double got = (word(words, cell) + word(words, cell + 1) * 0x1p-32) / 256;
            assertThat(got).as("sum of squares of row " + n).isCloseTo(expected, Offset.offset(1e-5 * expected));
            int other = ((1 - slot) * m + n) * 2;
            assertThat(word(words, other)).as("cleared slot").isZero();
            assertThat(word(words, other + 1)).as("cleared slot").isZero();
        }
    }

    /** The 64-bit integer at {@code index} of a tensor read back as floats (little-endian words). */
    private static long word(float[] words, int index) {
        return Integer.toUnsignedLong(Float.floatToRawIntBits(words[2 * index]))
                | (long) Float.floatToRawIntBits(words[2 * index + 1]) << 32;
    }

    @Test
    void residualLinearsAlternateSlotsAndAddTheSameWhateverTheBlockOrder() {
        int m = 2, hidden = 4096;
        Tensor x = uniform(1f, m, 14336);
        Tensor down = uniform(0.05f, hidden, 14336);
        float[] start = gpu.toHost(uniform(2f, m, hidden));
        Tensor residual = bf16(start, m, hidden);
        Tensor stats = gpu.normStatistics(m, hidden);
        Tensor unused = gpu.allocate(DType.BF16, m, hidden);
        ResidualSum first = gpu.linearIntoResidual(x, down, null, new ResidualSum.Stored(residual, null, 0), unused, stats);
        assertThat(first).isEqualTo(new ResidualSum.Stored(residual, stats, 0));
        assertSumsOfSquares(stats, 0, gpu.toHost(residual), m, hidden);
        ResidualSum second = gpu.linearIntoResidual(x, down, null, first, unused, stats);
        assertThat(second).isEqualTo(new ResidualSum.Stored(residual, stats, 1));
        assertSumsOfSquares(stats, 1, gpu.toHost(residual), m, hidden);

        float[] firstWords = null;
        for (int run = 0; run < 5; run++) {
            Tensor again = bf16(start, m, hidden);
            Tensor fresh = gpu.normStatistics(m, hidden);
            gpu.linearIntoResidual(x, down, null, new ResidualSum.Stored(again, null, 0), unused, fresh);
            float[] words = gpu.toHost(fresh);
            if (firstWords == null) firstWords = words;
            assertThat(words).as("statistics of run " + run).containsExactly(firstWords);
            gpu.free(again);
            gpu.free(fresh);
        }
    }

    @Test
    void composesWhereTheFusedFormsDoNotApply() {
        assertThat(gpu.normStatistics(FusedLinears.MAX_ROWS + 1, 256)).as("above the fused forms' rows").isNull();
        assertThat(gpu.normStatistics(2, 260)).as("K not a multiple of 8").isNull();
        Tensor embedded = gpu.allocate(DType.BF16, 1, 64);
        assertThat(gpu.embeddingIntoResidual(uniform(1f, 10, 64), gpu.ints(new int[] {3}), embedded, null))
                .as("the embedding without statistics").isEqualTo(new ResidualSum.Stored(embedded, null, 0));
        Tensor x = uniform(1f, 2, 64);
        Tensor w = uniform(0.1f, 256, 64);
        Tensor residual = uniform(1f, 2, 256);
        Tensor delta = gpu.allocate(DType.BF16, 2, 256);
        float[] before = gpu.toHost(residual);
        ResidualSum sum = gpu.linearIntoResidual(x, w, null, new ResidualSum.Stored(residual, null, 0), delta, null);
        assertThat(sum).isEqualTo(new ResidualSum.Deferred(residual, delta));
        assertThat(gpu.toHost(residual)).as("the add is left to the norm").containsExactly(before);

        Tensor norm = uniform(1f, 1, 256);
        Tensor normed = gpu.allocate(DType.BF16, 2, 256);
        Tensor out = gpu.allocate(DType.BF16, 2, 128);
        gpu.normedLinear(sum, norm, 1e-5f, normed, uniform(0.1f, 128, 256), null, out);
        Tensor expectedResidual = bf16(before, 2, 256);
        gpu.addRmsNorm(delta, expectedResidual, norm, 1e-5f, gpu.allocate(DType.BF16, 2, 256));
        assertThat(gpu.toHost(residual)).as("the norm added delta").containsExactly(gpu.toHost(expectedResidual));
    }

    /**
     * A linear the fused form cannot take (K not a multiple of 8) composes, and clears the statistics: the
     * next fused linear, starting from slot 0 again, must not add onto a sum left there.
     */
    @Test
    void aComposedResidualLinearClearsTheStatistics() {
        int m = 2, hidden = 256;
        Tensor residual = uniform(1f, m, hidden);
        Tensor stats = gpu.normStatistics(m, hidden);
        Tensor delta = gpu.allocate(DType.BF16, m, hidden);
        ResidualSum fused = gpu.linearIntoResidual(uniform(1f, m, 64), uniform(0.1f, hidden, 64), null,
                new ResidualSum.Stored(residual, null, 0), delta, stats);
        assertThat(fused).isEqualTo(new ResidualSum.Stored(residual, stats, 0));
        ResidualSum composed = gpu.linearIntoResidual(uniform(1f, m, 60), uniform(0.1f, hidden, 60), null, fused, delta,
                stats);
        assertThat(composed).isEqualTo(new ResidualSum.Deferred(residual, delta));
        float[] words = gpu.toHost(stats);
        for (int i = 0; i < words.length; i++) {
            assertThat(Float.floatToRawIntBits(words[i])).as("statistics word " + i).isZero();
        }
    }

    @Test
    void refusesStatisticsOfAnotherShape() {
        Tensor x = uniform(1f, 2, 64);
        Tensor w = uniform(0.1f, 256, 64);
        Tensor residual = uniform(1f, 2, 256);
        Tensor wrong = gpu.allocate(DType.F32, 2, 3);
        assertThatThrownBy(() -> gpu.linearIntoResidual(x, w, null, new ResidualSum.Stored(residual, null, 0), residual,
                wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linearIntoResidual");
        Tensor stats = gpu.normStatistics(2, 256);
        ResidualSum sum = new ResidualSum.Stored(residual, stats, 0);
        assertThatThrownBy(() -> gpu.normedLinear(sum, uniform(1f, 1, 128), 1e-5f, residual, uniform(0.1f, 64, 256),
                null, gpu.allocate(DType.BF16, 2, 64)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("norm weight");
    }
}
