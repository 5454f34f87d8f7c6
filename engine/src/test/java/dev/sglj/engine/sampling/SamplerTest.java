package dev.sglj.engine.sampling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {
    private static final int[] NO_PROMPT = new int[0];
    private static final int[] NO_EOS = new int[0];

    private static RequestSampler state(SamplingParams.Builder params) {
        return new RequestSampler(params.build(), NO_PROMPT, NO_EOS);
    }

    private static float[] randomLogits(int vocab, long seed, float scale) {
        Random random = new Random(seed);
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * scale);
        }
        return logits;
    }

    private static int[] draw(float[] logits, SamplingParams.Builder params, int draws) {
        Sampler sampler = new Sampler(logits.length);
        RequestSampler state = state(params);
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sampleRow(logits, 0, state).tokenId()]++;
        }
        return counts;
    }

    @Test
    void greedyIsFirstArgmax() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2.9f};
        Sampler sampler = new Sampler(5);
        for (double temperature : new double[] {0.0, 5e-7}) {
            SampledToken t = sampler.sampleRow(logits, 0, state(SamplingParams.builder().temperature(temperature)));
            assertThat(t.tokenId()).isEqualTo(1);
            assertThat(t.hasLogprob()).isFalse();
        }
    }

    @Test
    void greedyRowsOfABatchAreIndependent() {
        float[] logits = {0f, 1f, 2f, /* row 1 */ 9f, 1f, 2f, /* row 2 */ 0f, 0f, -1f};
        RequestSampler[] rows = new RequestSampler[3];
        for (int i = 0; i < 3; i++) {
            rows[i] = state(SamplingParams.builder().temperature(0.0));
        }
        SampledToken[] out = new Sampler(3).sample(logits, rows);
        assertThat(Arrays.stream(out).mapToInt(SampledToken::tokenId)).containsExactly(2, 0, 0);
        assertThat(rows[0].outputLength()).isEqualTo(1);
        assertThatThrownBy(() -> new Sampler(4).sample(logits, rows))
                .hasMessageContaining("fewer than 3 rows of vocab 4");
    }

    @Test
    void topKOneEqualsGreedy() {
        float[] logits = randomLogits(5000, 1, 3f);
        int argmax = TopTokens.argmax(logits, 0, logits.length);
        int[] counts = draw(logits, SamplingParams.builder().topK(1).temperature(2.0).samplingSeed(7L), 200);
        assertThat(counts[argmax]).isEqualTo(200);
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = randomLogits(1000, 2, 1f);
        int[] a = sequence(logits, 1234L);
        int[] b = sequence(logits, 1234L);
        int[] c = sequence(logits, 1235L);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        int[] unseeded1 = sequence(logits, null);
        int[] unseeded2 = sequence(logits, null);
        assertThat(unseeded1).isNotEqualTo(unseeded2);
    }

    @Test
    void unseededRequestsUseTheSeedTheyAreGiven() {
        var unseeded = SamplingParams.builder().build();
        assertThat(new RequestSampler(unseeded, NO_PROMPT, NO_EOS, 5L).seed()).isEqualTo(5L);
        var seeded = SamplingParams.builder().samplingSeed(9L).build();
        assertThat(new RequestSampler(seeded, NO_PROMPT, NO_EOS, 5L).seed()).isEqualTo(9L);
    }

    private static int[] sequence(float[] logits, Long seed) {
        Sampler sampler = new Sampler(logits.length);
        RequestSampler state = state(SamplingParams.builder().samplingSeed(seed).topP(0.9));
        int[] out = new int[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = sampler.sampleRow(logits, 0, state).tokenId();
        }
        return out;
    }

    @Test
    void seededDrawDoesNotDependOnBatchNeighbours() {
        float[] row = randomLogits(300, 3, 2f);
        float[] batch = new float[900];
        System.arraycopy(randomLogits(300, 4, 2f), 0, batch, 0, 300);
        System.arraycopy(row, 0, batch, 300, 300);
        System.arraycopy(randomLogits(300, 5, 2f), 0, batch, 600, 300);
        Sampler sampler = new Sampler(300);
        RequestSampler alone = state(SamplingParams.builder().samplingSeed(99L));
        RequestSampler[] rows = {
                state(SamplingParams.builder()), state(SamplingParams.builder().samplingSeed(99L)),
                state(SamplingParams.builder().temperature(0.0))};
        for (int step = 0; step < 20; step++) {
            int expected = sampler.sampleRow(row, 0, alone).tokenId();
            assertThat(sampler.sample(batch, rows)[1].tokenId()).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "T={0} top_k={1} top_p={2} min_p={3}")
    @CsvSource({
            "1.0, -1, 1.0, 0.0",
            "0.7, -1, 1.0, 0.0",
            "1.0, 5, 1.0, 0.0",
            "1.0, -1, 0.8, 0.0",
            "1.0, -1, 1.0, 0.1",
            "1.3, 8, 0.9, 0.02",
            "0.5, 30, 0.95, 0.0",
            "1.0, 40, 1.0, 0.2",
    })
    void keepsExactlySglangsCandidatesWithRenormalisedFrequencies(double temperature, int topK, double topP,
                                                                    double minP) {
        float[] logits = randomLogits(40, 11, 1.5f);
        var params = SamplingParams.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .samplingSeed(2024L);
        assertMatchesReference(logits, params, 40_000);
    }

    /** Large top_k goes through the logit frontier rather than the heap; the kept set must not change. */
    @ParameterizedTest(name = "top_k={0} top_p={1} min_p={2}")
    @CsvSource({
            "1100, 0.9, 0.0",
            "-1, 0.5, 0.0",
            "-1, 1.0, 0.3",
            "1200, 1.0, 0.0",
            "2000, 0.97, 0.05",
    })
    void frontierPathKeepsTheSameCandidates(int topK, double topP, double minP) {
        float[] logits = peakedLogits(2500, 21);
        var params = SamplingParams.builder().topK(topK).topP(topP).minP(minP).samplingSeed(5L);
        assertMatchesReference(logits, params, 8_000);
    }

    /** A few tokens far above a flat tail. */
    private static float[] peakedLogits(int vocab, long seed) {
        float[] logits = randomLogits(vocab, seed, 0.5f);
        Random random = new Random(seed + 1);
        for (int i = 0; i < 12; i++) {
            logits[random.nextInt(vocab)] = 9f + random.nextFloat() * 2f;
        }
        return logits;
    }

    /** Wide frontiers (thousands of tokens above it) are narrowed by bisection; the kept set must not change. */
    @ParameterizedTest(name = "top_k={0} top_p={1}")
    @CsvSource({
            "5000, 1.0",
            "-1, 0.5",
            "7000, 0.6",
    })
    void narrowedFrontierKeepsTheSameCandidates(int topK, double topP) {
        float[] logits = randomLogits(12_000, 51, 0.4f);
        var params = SamplingParams.builder().topK(topK).topP(topP).samplingSeed(6L);
        assertMatchesReference(logits, params, 5_000);
    }

    @Test
    void topKCandidatesAtTheLargeTopKBoundaryAreAllKept() {
        float[] logits = randomLogits(2400, 31, 0.05f);
        var params = SamplingParams.builder().topK(1200).samplingSeed(8L);
        double[] expected = SglangReference.keptDistribution(logits, 1.0, 1200, 1.0, 0.0);
        int[] counts = draw(logits, params, 12_000);
        for (int i = 0; i < logits.length; i++) {
            if (expected[i] == 0) {
                assertThat(counts[i]).as("token %d is outside top_k", i).isZero();
            }
        }
        long distinct = Arrays.stream(counts).filter(c -> c > 0).count();
        assertThat(distinct).isGreaterThan(1150).isLessThanOrEqualTo(1200);
    }

    @Test
    void heapAndFrontierPathsDrawTheSameTokens() {
        float[] logits = randomLogits(5000, 41, 2.5f);
        double topP = 0.8;
        long kept = Arrays.stream(SglangReference.keptDistribution(logits, 1.0, -1, topP, 0.0)).filter(p -> p > 0).count();
        assertThat(kept).as("the top-p cut reaches into the tail but stays within the heap's top_k")
                .isBetween(100L, (long) Sampler.HEAP_TOP_K_MAX);
        int[] viaHeap = tokens(logits, Sampler.HEAP_TOP_K_MAX, topP);
        int[] viaFrontier = tokens(logits, -1, topP);
        assertThat(viaFrontier).isEqualTo(viaHeap);
    }

    private static int[] tokens(float[] logits, int topK, double topP) {
        Sampler sampler = new Sampler(logits.length);
        RequestSampler state = state(SamplingParams.builder().topK(topK).topP(topP).samplingSeed(77L));
        int[] out = new int[500];
        for (int i = 0; i < out.length; i++) {
            out[i] = sampler.sampleRow(logits, 0, state).tokenId();
        }
        return out;
    }

    @Test
    void maskedTokensAreNeverSampled() {
        float[] logits = {Float.NEGATIVE_INFINITY, 1f, Float.NaN, 1f, Float.NEGATIVE_INFINITY};
        int[] counts = draw(logits, SamplingParams.builder().samplingSeed(3L), 2000);
        assertThat(counts[0] + counts[2] + counts[4]).isZero();
        assertThat(counts[1] + counts[3]).isEqualTo(2000);
        int[] topK = draw(logits, SamplingParams.builder().topK(4).samplingSeed(3L), 2000);
        assertThat(topK[0] + topK[2] + topK[4]).isZero();
    }

    @Test
    void logprobsAreOfRawLogitsNotOfPenalisedOnes() {
        float[] logits = {1f, 2f, 3f, 0.5f};
        var params = SamplingParams.builder().temperature(0.0).returnLogprob(true).topLogprobsNum(2)
                .logitBias(java.util.Map.of(0, 10f));
        SampledToken t = new Sampler(4).sampleRow(logits, 0, state(params));
        assertThat(t.tokenId()).isEqualTo(0);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(0.5));
        assertThat((double) t.logprob()).isCloseTo(1 - lse, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(t.top()).extracting(TopLogprob::tokenId).containsExactly(2, 1);
    }

    /**
     * Draws {@code draws} tokens and checks that none falls outside SGLang's kept set and that the counts fit
     * the renormalised distribution: a chi-square test over groups of tokens (taken in rank order) that
     * each expect at least 25 draws.
     */
    private static void assertMatchesReference(float[] logits, SamplingParams.Builder params, int draws) {
        SamplingParams p = params.build();
        double[] expected = SglangReference.keptDistribution(logits, p.temperature(), p.topK(), p.topP(), p.minP());
        int[] counts = draw(logits, params, draws);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(expected[b], expected[a]));
        double chiSquare = 0;
        int groups = 0;
        double groupExpected = 0;
        long groupCount = 0;
        for (int id : order) {
            if (expected[id] == 0) {
                assertThat(counts[id]).as("token %d is outside SGLang's kept set", id).isZero();
                continue;
            }
            groupExpected += expected[id] * draws;
            groupCount += counts[id];
            if (groupExpected >= 25) {
                chiSquare += (groupCount - groupExpected) * (groupCount - groupExpected) / groupExpected;
                groups++;
                groupExpected = 0;
                groupCount = 0;
            }
        }
        if (groupExpected > 0) {
            chiSquare += (groupCount - groupExpected) * (groupCount - groupExpected) / groupExpected;
            groups++;
        }
        assertThat(groups).isGreaterThan(1);
        int df = groups - 1;
        // mean df, sd sqrt(2 df): 5 sd above the mean is exceeded with probability < 1e-5 by a correct sampler
        assertThat(chiSquare).as("chi-square over %d groups", groups).isLessThan(df + 5 * Math.sqrt(2.0 * df) + 5);
    }
}
