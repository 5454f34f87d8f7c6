package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Ragged causal GQA attention against a double-precision reference over a shuffled slot mapping. */
class AttentionTest {
    private static final int HEADS = 6;
    private static final int KV_HEADS = 2;
    /** Two vectors of 16 plus a tail of 8 on AVX-512; 5 of 8 on AVX2. */
    private static final int HEAD_DIM = 40;
    private static final int SLOTS = 300;
    private static final int MAX_REQUESTS = 5;
    private static final int STRIDE = 64;

    /** Request layout: pool index, seqLen, extendLen. */
    private static final int[][] REQUESTS = {
        {3, 37, 37}, // fresh prefill, three token blocks
        {0, 20, 1},  // decode
        {4, 50, 17}, // extend on a cached prefix of 33, crossing a block boundary
        {1, 5, 2},   // short extend
        {2, 1, 1},   // first token of a request
    };

    @Test
    void matchesReferenceForMixedPrefillExtendAndDecode() {
        try (CpuBackend backend = new CpuBackend(2)) {
            check(backend, new Random(11));
        }
    }

    @Test
    void singleThreadedMatchesReference() {
        try (CpuBackend backend = new CpuBackend(1)) {
            check(backend, new Random(12));
        }
    }

    private static void check(CpuBackend backend, Random random) {
        int requests = REQUESTS.length;
        int[] seqLens = new int[requests];
        int[] extendLens = new int[requests];
        int[] starts = new int[requests];
        int[] poolIdx = new int[requests];
        int tokens = 0;
        for (int r = 0; r < requests; r++) {
            poolIdx[r] = REQUESTS[r][0];
            seqLens[r] = REQUESTS[r][1];
            extendLens[r] = REQUESTS[r][2];
            starts[r] = tokens;
            tokens += extendLens[r];
        }
        List<Integer> free = new ArrayList<>();
        for (int s = 0; s < SLOTS; s++) {
            free.add(s);
        }
        Collections.shuffle(free, random);
        int[] table = new int[MAX_REQUESTS * STRIDE];
        int next = 0;
        for (int r = 0; r < requests; r++) {
            for (int p = 0; p < seqLens[r]; p++) {
                table[poolIdx[r] * STRIDE + p] = free.get(next++);
            }
        }
        int qWidth = HEADS * HEAD_DIM;
        int kvWidth = KV_HEADS * HEAD_DIM;
        float[] q = TestData.uniform(random, tokens * qWidth, 1f);
        float[] k = TestData.uniform(random, SLOTS * kvWidth, 1f);
        float[] v = TestData.uniform(random, SLOTS * kvWidth, 1f);
        float scale = (float) (1 / Math.sqrt(HEAD_DIM)) * 2f;

        Tensor out = backend.allocate(DType.F32, tokens, qWidth);
        AttentionBatch batch = new AttentionBatch(requests, backend.ints(table), STRIDE, backend.ints(poolIdx),
                backend.ints(seqLens), backend.ints(extendLens), backend.ints(starts), seqLens, extendLens, starts);
        backend.attention(backend.floats(q, tokens, qWidth), backend.floats(k, SLOTS, kvWidth),
                backend.floats(v, SLOTS, kvWidth), batch, out, HEADS, KV_HEADS, HEAD_DIM, scale);

        double[] expected = new double[tokens * qWidth];
        for (int r = 0; r < requests; r++) {
            for (int j = 0; j < extendLens[r]; j++) {
                int pos = seqLens[r] - extendLens[r] + j;
                int row = starts[r] + j;
                for (int h = 0; h < HEADS; h++) {
                    int kvh = h / (HEADS / KV_HEADS);
                    double[] score = new double[pos + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= pos; p++) {
                        int slot = table[poolIdx[r] * STRIDE + p];
                        double dot = 0;
                        for (int d = 0; d < HEAD_DIM; d++) {
                            dot += (double) q[row * qWidth + h * HEAD_DIM + d] * k[slot * kvWidth + kvh * HEAD_DIM + d];
                        }
                        score[p] = dot * scale;
                        max = Math.max(max, score[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= pos; p++) {
                        score[p] = Math.exp(score[p] - max);
                        sum += score[p];
                    }
                    for (int d = 0; d < HEAD_DIM; d++) {
                        double o = 0;
                        for (int p = 0; p <= pos; p++) {
                            o += score[p] / sum * v[table[poolIdx[r] * STRIDE + p] * kvWidth + kvh * HEAD_DIM + d];
                        }
                        expected[row * qWidth + h * HEAD_DIM + d] = o;
                    }
                }
            }
        }
        // outputs are convex combinations of values in [-1, 1]: absolute error is the natural measure
        TestData.assertClose("attention", backend.toHost(out), expected, null, 1e-5, 2e-6);
    }

    @Test
    void rejectsSlotsOutsideTheCache() {
        try (CpuBackend backend = new CpuBackend(2)) {
            int[] one = {1};
            int[] start = {0};
            AttentionBatch batch = new AttentionBatch(1, backend.ints(new int[] {0, 99}), 2, backend.ints(new int[] {0}),
                    backend.ints(new int[] {2}), backend.ints(one), backend.ints(start), new int[] {2}, one, start);
            Tensor q = backend.allocate(DType.F32, 1, 8);
            Tensor cache = backend.allocate(DType.F32, 10, 8);
            assertThatThrownBy(() -> backend.attention(q, cache, cache, batch, q, 1, 1, 8, 1f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("position 1 maps to KV slot 99");
            AttentionBatch tooLong = new AttentionBatch(1, backend.ints(new int[] {0, 1}), 2,
                    backend.ints(new int[] {0}), backend.ints(new int[] {3}), backend.ints(one), backend.ints(start),
                    new int[] {3}, one, start);
            assertThatThrownBy(() -> backend.attention(q, cache, cache, tooLong, q, 1, 1, 8, 1f))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 2");
        }
    }
}
