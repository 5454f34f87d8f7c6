package dev.sglj.engine.sampling;

import java.util.Arrays;

/**
 * Picks the next token of each row of a batch of raw F32 logits, with SGLang's semantics.
 *
 * <p>Per row: the penalties and logit_bias ({@link Penalties}); then greedy argmax (first maximum) when
 * temperature &lt; 1e-6 or top_k is 1; otherwise softmax(logits / temperature) cut the way SGLang's
 * {@code top_k_top_p_min_p_sampling_from_probs_torch} cuts it: with tokens ranked by probability, keep
 * rank &lt; top_k, keep a token while the probability mass ranked above it is &le; top_p (mass of the
 * whole distribution), keep p &ge; min_p &times; p_max; then draw from the kept tokens in proportion to
 * their probability with the request's random stream.
 *
 * <p>Only the candidates that can survive the cut are ranked: a bounded heap when top_k is small, else the
 * tokens above a logit frontier found from top-k counts, top-p masses or min-p's bound, so a 150k
 * vocabulary is not fully sorted in the usual cases. Scratch buffers are reused across calls: one Sampler per thread.
 */
public final class Sampler {
    static final int HEAP_TOP_K_MAX = 1024;
    /** Distances below the maximum logit (after temperature) tried as the candidate frontier. */
    private static final double[] FRONTIER_DISTANCES = {1, 2, 3, 4, 6, 8, 11, 16, 22, 32};
    /** A frontier holding more tokens than this is narrowed, by at most this many bisection steps. */
    private static final int SMALL_FRONTIER = 4096;
    private static final int BISECTION_STEPS = 10;
    /** Slack on the top-p frontier so float32 masses never cut a token the exact cumsum keeps. */
    private static final double TOP_P_MARGIN = 1e-4;
    private static final int BLOCK = 2048;

    private final int vocabSize;
    private final float[] work;
    private final double[] weights;
    private final float[] expWork;
    private final double[] blockTotals;
    private final long[] keys;

    public Sampler(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocab size must be at least 1, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.work = new float[vocabSize];
        this.weights = new double[vocabSize];
        this.expWork = new float[vocabSize];
        this.blockTotals = new double[(vocabSize + BLOCK - 1) / BLOCK];
        this.keys = new long[vocabSize];
    }

    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Samples row {@code i} of {@code logits} (row-major, {@code rows.length * vocabSize} floats, not
     * modified) for {@code rows[i]}, records each token in its request state, and returns the tokens with
     * their raw-logit logprobs where the request asked for them.
     */
    public SampledToken[] sample(float[] logits, RequestSampler[] rows) {
        if ((long) rows.length * vocabSize > logits.length) {
            throw new IllegalArgumentException("logits hold " + logits.length + " floats, fewer than "
                    + rows.length + " rows of vocab " + vocabSize);
        }
        SampledToken[] out = new SampledToken[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = sampleRow(logits, i, rows[i]);
        }
        return out;
    }

    /** Samples one row of {@code logits} for {@code state} and records the token in it. */
    public SampledToken sampleRow(float[] logits, int row, RequestSampler state) {
        int offset = row * vocabSize;
        int token = pick(logits, offset, state);
        SamplingParams params = state.params();
        SampledToken sampled = params.returnLogprob()
                ? Logprobs.of(logits, offset, vocabSize, token, params.topLogprobsNum())
                : SampledToken.withoutLogprob(token);
        state.accept(token);
        return sampled;
    }

    /** The token chosen for this step; does not record it. */
    int pick(float[] logits, int offset, RequestSampler state) {
        SamplingParams params = state.params();
        if (params.isGreedy() && !state.changesLogits()) {
            return TopTokens.argmax(logits, offset, vocabSize);
        }
        prepare(logits, offset, state);
        if (params.isGreedy()) {
            return TopTokens.argmax(work, 0, vocabSize);
        }
        float max = TopTokens.max(work, 0, vocabSize);
        if (max == Float.NEGATIVE_INFINITY) {
            return 0;
        }
        double u = state.uniform();
        int topK = params.effectiveTopK(vocabSize);
        double topP = params.topP();
        double minP = params.minP();
        if (topK >= vocabSize && topP >= 1 && minP <= 0) {
            return drawFromAll(max, u);
        }
        if (topK <= HEAP_TOP_K_MAX) {
            int count = TopTokens.select(work, 0, vocabSize, topK, keys);
            double total = topP < 1 ? VectorMath.expSum(work, 0, vocabSize, max, null) : Double.NaN;
            return drawFromRanked(count, max, total, topK, topP, minP, u);
        }
        double total = topP < 1 ? VectorMath.expSum(work, 0, vocabSize, max, expWork) : Double.NaN;
        int count = gatherAtLeast(frontier(max, total, topK, topP, minP));
        Arrays.sort(keys, 0, count);
        return drawFromRanked(count, max, total, topK, topP, minP, u);
    }

    /** work = (penalised logits) / temperature, NaN read as -inf. */
    private void prepare(float[] logits, int offset, RequestSampler state) {
        VectorMath.copyNanAsNegativeInfinity(logits, offset, work, vocabSize);
        if (state.changesLogits()) {
            state.logitChanges(vocabSize).applyTo(work, 0);
        }
        SamplingParams params = state.params();
        if (!params.isGreedy() && params.temperature() != 1.0) {
            VectorMath.divide(work, vocabSize, (float) params.temperature());
        }
    }

    /** Draws from the whole row: exponentials by blocks, then the block and the token the draw falls in. */
    private int drawFromAll(float max, double u) {
        double total = 0;
        for (int b = 0; b < blockTotals.length; b++) {
            int from = b * BLOCK;
            blockTotals[b] = VectorMath.expSum(work, from, Math.min(vocabSize, from + BLOCK), max, expWork);
            total += blockTotals[b];
        }
        double target = u * total;
        double cumulative = 0;
        for (int b = 0; b < blockTotals.length; b++) {
            if (cumulative + blockTotals[b] <= target && b < blockTotals.length - 1) {
                cumulative += blockTotals[b];
                continue;
            }
            int to = Math.min(vocabSize, (b + 1) * BLOCK);
            for (int i = b * BLOCK; i < to; i++) {
                cumulative += expWork[i];
                if (cumulative > target && expWork[i] > 0) {
                    return i;
                }
            }
        }
        int last = vocabSize - 1;
        while (last > 0 && expWork[last] == 0) {
            last--;
        }
        return last;
    }

    /**
     * Applies the cut to ranked candidates {@code keys[0, count)} and draws from the survivors.
     * {@code total} is the unnormalised mass of the whole row (needed only when top_p &lt; 1).
     */
    private int drawFromRanked(int count, float max, double total, int topK, double topP, double minP, double u) {
        double topPMass = topP * total;
        int limit = Math.min(count, topK);
        double kept = 0;
        int survivors = 0;
        for (int r = 0; r < limit; r++) {
            double w = Math.exp((double) TopTokens.value(keys[r]) - max);
            if ((topP < 1 && kept > topPMass) || w < minP) {
                break;
            }
            weights[r] = w;
            kept += w;
            survivors++;
        }
        double target = u * kept;
        double cumulative = 0;
        for (int r = 0; r < survivors; r++) {
            cumulative += weights[r];
            if (cumulative > target) {
                return TopTokens.tokenId(keys[r]);
            }
        }
        return TopTokens.tokenId(keys[0]);
    }

    /**
     * A logit value such that every token the cut can keep is at or above it: tried at growing distances
     * below the maximum until the tokens above hold top_k tokens or more than top_p of the mass (then
     * narrowed by bisection while that leaves many tokens), or the distance passes min_p's bound; -inf
     * when no bound is found.
     */
    private float frontier(float max, double total, int topK, double topP, double minP) {
        double minPDistance = minP > 0 ? -Math.log(minP) : Double.POSITIVE_INFINITY;
        double topPMass = (topP + TOP_P_MARGIN) * total;
        double below = 0;
        for (double distance : FRONTIER_DISTANCES) {
            if (distance >= minPDistance) {
                return threshold(max, minPDistance);
            }
            if (holdsTheCut(threshold(max, distance), topK, topP, topPMass)) {
                for (int step = 0; step < BISECTION_STEPS
                        && VectorMath.countAtLeast(work, vocabSize, threshold(max, distance)) > SMALL_FRONTIER; step++) {
                    double middle = (below + distance) / 2;
                    if (holdsTheCut(threshold(max, middle), topK, topP, topPMass)) {
                        distance = middle;
                    } else {
                        below = middle;
                    }
                }
                return threshold(max, distance);
            }
            below = distance;
        }
        return minP > 0 ? threshold(max, minPDistance) : Float.NEGATIVE_INFINITY;
    }

    private boolean holdsTheCut(float threshold, int topK, double topP, double topPMass) {
        return (topK < vocabSize && VectorMath.countAtLeast(work, vocabSize, threshold) >= topK)
                || (topP < 1 && VectorMath.sumWhereAtLeast(work, expWork, vocabSize, threshold) > topPMass);
    }

    private static float threshold(float max, double distance) {
        return Math.nextDown((float) (max - distance));
    }

    /** Writes the keys of all tokens whose value is at least {@code threshold} and returns their count. */
    private int gatherAtLeast(float threshold) {
        int gathered = 0;
        int lanes = VectorMath.lanes();
        int i = 0;
        while (i < vocabSize) {
            if (i + lanes <= vocabSize && !VectorMath.anyAtLeast(work, i, threshold)) {
                i += lanes;
                continue;
            }
            int end = Math.min(vocabSize, i + lanes);
            for (; i < end; i++) {
                if (work[i] >= threshold) {
                    keys[gathered++] = TopTokens.key(work[i], i);
                }
            }
        }
        return gathered;
    }
}
