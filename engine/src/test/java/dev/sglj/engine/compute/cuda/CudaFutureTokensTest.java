package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The overlap schedule's device pieces on their own: {@link CudaBackend#sampleInto} draws what
 * {@link CudaBackend#sample} draws, into a {@link TokenBuffer} that a second launch into another buffer
 * leaves intact; {@link CudaBackend#resolveFutureIds} replaces negative ids by the draw's ids; rows that
 * may need the host are refused.
 */
@Tag("gpu")
class CudaFutureTokensTest {
    static CudaBackend gpu;

    @BeforeAll
    static void start() {
        assumeTrue(CudaBackend.gpuPresent(), "no CUDA GPU here");
        gpu = new CudaBackend();
    }

    @AfterAll
    static void stop() {
        if (gpu != null) gpu.close();
    }

    private static SamplingBatch batch(int[] rows, int vocab, long seed) {
        int n = rows.length;
        float[] temperatures = new float[n];
        int[] topKs = new int[n];
        float[] topPs = new float[n];
        float[] minPs = new float[n];
        double[] uniforms = new double[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            temperatures[i] = i % 3 == 0 ? 0f : 0.6f + 0.2f * (i % 4);
            topKs[i] = i % 4 == 1 ? 40 : vocab;
            topPs[i] = i % 4 == 2 ? 0.9f : 1f;
            minPs[i] = i % 4 == 3 ? 0.05f : 0f;
            uniforms[i] = r.nextDouble();
        }
        return new SamplingBatch(rows, temperatures, topKs, topPs, minPs, uniforms);
    }

    @Test
    void sampleIntoDrawsWhatSampleDrawsAndTwoBuffersStayApart() {
        int vocab = 1000;
        int rows = 12;
        Random r = new Random(3);
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (2 * r.nextGaussian());
        Tensor t = gpu.floats(logits, rows, vocab);
        int[] forward = new int[rows];
        int[] backward = new int[rows];
        for (int i = 0; i < rows; i++) {
            forward[i] = i;
            backward[i] = rows - 1 - i;
        }
        SamplingBatch first = batch(forward, vocab, 1);
        SamplingBatch second = batch(backward, vocab, 2);
        try (TokenBuffer a = gpu.tokenBuffer(16); TokenBuffer b = gpu.tokenBuffer(16)) {
            int[] expectFirst = gpu.sample(t, first, LogitChanges.NONE);
            int[] expectSecond = gpu.sample(t, second, LogitChanges.NONE);
            gpu.sampleInto(t, first, LogitChanges.NONE, a);
            gpu.sampleInto(t, second, LogitChanges.NONE, b);
            assertThat(a.count()).isEqualTo(rows);
            assertThat(b.await()).containsExactly(expectSecond);
            assertThat(a.await()).containsExactly(expectFirst);
            assertThatThrownBy(() -> gpu.sampleInto(t, batch(new int[17], vocab, 3), LogitChanges.NONE, a))
                    .hasMessageContaining("token buffer of 16");
        } finally {
            gpu.free(t);
        }
    }

    @Test
    void resolveFutureIdsReplacesNegativeIdsByTheDrawsIds() {
        int vocab = 64;
        int hidden = 8;
        float[] logits = new float[3 * vocab];
        for (int r = 0; r < 3; r++) logits[r * vocab + 10 * r + 5] = 5f;
        Tensor t = gpu.floats(logits, 3, vocab);
        float[] rowsOfTheirIndex = new float[vocab * hidden];
        for (int i = 0; i < rowsOfTheirIndex.length; i++) rowsOfTheirIndex[i] = i / hidden;
        DType dtype = gpu.activationDtype();
        Tensor table = gpu.upload(rowsOfTheirIndex, dtype, vocab, hidden);
        Tensor ids = gpu.ints(new int[] {7, -1, -3, 9, -2});
        Tensor out = gpu.allocate(dtype, 5, hidden);
        try (TokenBuffer drawn = gpu.tokenBuffer(4)) {
            SamplingBatch greedy = new SamplingBatch(new int[] {0, 1, 2}, new float[3], new int[] {vocab, vocab, vocab},
                    new float[] {1, 1, 1}, new float[3], new double[3]);
            gpu.sampleInto(t, greedy, LogitChanges.NONE, drawn);
            gpu.resolveFutureIds(ids, 5, drawn);
            gpu.embedding(table, ids, out);
            float[] host = gpu.toHost(out);
            int[] resolved = new int[5];
            for (int i = 0; i < 5; i++) resolved[i] = (int) host[i * hidden];
            assertThat(resolved).containsExactly(7, 5, 25, 9, 15);
            assertThat(drawn.await()).containsExactly(5, 15, 25);
        } finally {
            for (Tensor x : new Tensor[] {t, table, ids, out}) gpu.free(x);
        }
    }

    /**
     * A cut that keeps more tokens than a block ranks is drawn asynchronously like any other: 5,000 tied tokens
     * under top_p 0.9 keep ranks 0..4499 (the kept weight, 4500 at rank 4500, first exceeds 0.9 x 5000 there),
     * and u 0.5 takes the first rank whose cumulative weight exceeds 2250: token 2250, as the synchronous draw.
     */
    @Test
    void wideCutsAreDrawnAsynchronously() {
        int vocab = 5000;
        Tensor t = gpu.floats(new float[vocab], 1, vocab);
        try (TokenBuffer b = gpu.tokenBuffer(1)) {
            SamplingBatch topP = new SamplingBatch(new int[] {0}, new float[] {1f}, new int[] {vocab},
                    new float[] {0.9f}, new float[1], new double[] {0.5});
            gpu.sampleInto(t, topP, LogitChanges.NONE, b);
            assertThat(b.await()).containsExactly(2250);
            assertThat(gpu.sample(t, topP, LogitChanges.NONE)).containsExactly(2250);
        } finally {
            gpu.free(t);
        }
    }
}
