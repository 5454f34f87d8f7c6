package dev.sglj.engine.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities under the model's raw logits (before temperature and penalties), as transformers
 * records them and SGLang returns them by default. Log-softmax is max-shifted, with float32 exponentials
 * summed in short float runs into a double total (within 1e-5 of a float64 reference at a 150k vocabulary).
 */
public final class Logprobs {
    private Logprobs() {
    }

    /** {@code log(sum(exp(logits)))} of one row. */
    public static double logSumExp(float[] logits, int offset, int length) {
        float max = TopTokens.max(logits, offset, length);
        if (max == Float.NEGATIVE_INFINITY || Float.isNaN(max)) {
            return max;
        }
        return max + Math.log(VectorMath.expSum(logits, offset, offset + length, max, null));
    }

    /** Writes the log-softmax of {@code logits[offset, offset+length)} to {@code out[outOffset, ...)}. */
    public static void logSoftmax(float[] logits, int offset, int length, float[] out, int outOffset) {
        double logSumExp = logSumExp(logits, offset, length);
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = (float) (logits[offset + i] - logSumExp);
        }
    }

    /** The {@code n} most likely tokens of one row, logprob descending, ties by lower id. */
    public static List<TopLogprob> top(float[] logits, int offset, int length, int n, double logSumExp) {
        if (n <= 0) {
            return List.of();
        }
        long[] keys = new long[Math.min(n, length)];
        int count = TopTokens.select(logits, offset, length, n, keys);
        List<TopLogprob> top = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            top.add(new TopLogprob(TopTokens.tokenId(keys[r]), (float) (TopTokens.value(keys[r]) - logSumExp)));
        }
        return top;
    }

    /** The logprob of {@code tokenId} in one row of raw logits, with the row's top {@code topN}. */
    public static SampledToken of(float[] logits, int offset, int vocabSize, int tokenId, int topN) {
        double logSumExp = logSumExp(logits, offset, vocabSize);
        float logprob = (float) (logits[offset + tokenId] - logSumExp);
        return new SampledToken(tokenId, logprob, top(logits, offset, vocabSize, topN, logSumExp));
    }

    /**
     * Prompt logprobs: row {@code i} of {@code logits} (row-major, {@code vocabSize} wide) is the model's
     * prediction after prompt position {@code i}, and {@code nextTokens[i]} the prompt token that follows.
     */
    public static List<SampledToken> promptLogprobs(float[] logits, int vocabSize, int[] nextTokens, int topN) {
        if ((long) nextTokens.length * vocabSize > logits.length) {
            throw new IllegalArgumentException("prompt logprobs: " + nextTokens.length + " rows of " + vocabSize
                    + " logits need " + (long) nextTokens.length * vocabSize + " floats, got " + logits.length);
        }
        List<SampledToken> out = new ArrayList<>(nextTokens.length);
        for (int i = 0; i < nextTokens.length; i++) {
            int token = nextTokens[i];
            if (token < 0 || token >= vocabSize) {
                throw new IllegalArgumentException("prompt logprobs: token id " + token + " at position " + (i + 1)
                        + " is outside [0, " + (vocabSize - 1) + "]");
            }
            out.add(of(logits, i * vocabSize, vocabSize, token, topN));
        }
        return out;
    }
}
