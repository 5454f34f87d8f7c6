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
 * <p>Only the candidates that can survive the cut are ranked: a bounded heap when top_k is small, else a
 * histogram of log-probabilities that bounds the top-p / top-k / min-p frontier, so a 150k vocabulary is
 * never fully sorted in the usual cases. Scratch buffers are reused across calls: one Sampler per thread.
 */
public final class Sampler {
    static final int HEAP_TOP_K_MAX = 1024;
    private static final int BINS = 128;
    private static final double BINS_PER_UNIT = 4;
    private static final double TOP_P_MARGIN = 1e-9;

    private final int vocabSize;
    private final float[] work;
    private final double[] weights;
    private final long[] keys;
    private final int[] binCounts = new int[BINS + 1];
    private final double[] binMass = new double[BINS + 1];

    public Sampler(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocab size must be at least 1, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.work = new float[vocabSize];
        this.weights = new double[vocabSize];
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
            double total = topP < 1 ? sumOfWeights(max) : Double.NaN;
            return drawFromRanked(count, max, total, topK, topP, minP, u);
        }
        double total = histogram(max);
        int count = gatherFrontier(max, total, topK, topP, minP);
        Arrays.sort(keys, 0, count);
        return drawFromRanked(count, max, total, topK, topP, minP, u);
    }

    /** work = (penalised logits) / temperature, NaN read as -inf. */
    private void prepare(float[] logits, int offset, RequestSampler state) {
        for (int i = 0; i < vocabSize; i++) {
            float v = logits[offset + i];
            work[i] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
        }
        if (state.changesLogits()) {
            Penalties.apply(state, work, 0, vocabSize);
        }
        SamplingParams params = state.params();
        if (!params.isGreedy() && params.temperature() != 1.0) {
            float temperature = (float) params.temperature();
            for (int i = 0; i < vocabSize; i++) {
                work[i] /= temperature;
            }
        }
    }

    private int drawFromAll(float max, double u) {
        double total = 0;
        for (int i = 0; i < vocabSize; i++) {
            double w = Math.exp((double) work[i] - max);
            weights[i] = w;
            total += w;
        }
        double target = u * total;
        double cumulative = 0;
        for (int i = 0; i < vocabSize; i++) {
            cumulative += weights[i];
            if (cumulative > target) {
                return i;
            }
        }
        int last = vocabSize - 1;
        while (last > 0 && weights[last] == 0) {
            last--;
        }
        return last;
    }

    private double sumOfWeights(float max) {
        double total = 0;
        for (int i = 0; i < vocabSize; i++) {
            total += Math.exp((double) work[i] - max);
        }
        return total;
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

    /** Fills per-bin counts and masses of d = max - x (bins of width 1/4, the last one open); returns the total mass. */
    private double histogram(float max) {
        Arrays.fill(binCounts, 0);
        Arrays.fill(binMass, 0);
        double total = 0;
        for (int i = 0; i < vocabSize; i++) {
            double d = max - (double) work[i];
            int bin = bin(d);
            double w = Math.exp(-d);
            binCounts[bin]++;
            binMass[bin] += w;
            total += w;
        }
        return total;
    }

    /** Collects keys of every token in the bins up to the first bin past which no token can be kept. */
    private int gatherFrontier(float max, double total, int topK, double topP, double minP) {
        double minPDistance = minP > 0 ? -Math.log(minP) : Double.POSITIVE_INFINITY;
        double topPMass = (topP + TOP_P_MARGIN) * total;
        int lastBin = BINS;
        long count = 0;
        double mass = 0;
        for (int b = 0; b < BINS; b++) {
            count += binCounts[b];
            mass += binMass[b];
            if (count >= topK || (topP < 1 && mass > topPMass) || (b + 1) / BINS_PER_UNIT > minPDistance) {
                lastBin = b;
                break;
            }
        }
        int gathered = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (bin(max - (double) work[i]) <= lastBin) {
                keys[gathered++] = TopTokens.key(work[i], i);
            }
        }
        return gathered;
    }

    private static int bin(double distance) {
        return distance < BINS / BINS_PER_UNIT ? (int) (distance * BINS_PER_UNIT) : BINS;
    }
}
