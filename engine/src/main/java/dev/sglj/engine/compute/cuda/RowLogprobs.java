package dev.sglj.engine.compute.cuda;

/**
 * Logprobs under raw logits, from {@link CudaBackend#logprobs}: {@code logprobs[i]} of the chosen token
 * of row {@code i}, and the row's {@code topN} most likely tokens (logprob descending, ties by lower id)
 * row-major in {@code topIds} and {@code topLogprobs} ({@code [rows, topN]}).
 */
public record RowLogprobs(float[] logprobs, int[] topIds, float[] topLogprobs, int topN) {
    public RowLogprobs {
        if (topN < 0 || topIds.length != (long) logprobs.length * topN || topLogprobs.length != topIds.length) {
            throw new IllegalArgumentException("row logprobs: " + logprobs.length + " rows of top " + topN
                    + " need that many ids and logprobs, got " + topIds.length + " and " + topLogprobs.length);
        }
    }

    public int topId(int row, int rank) {
        return topIds[row * topN + rank];
    }

    public float topLogprob(int row, int rank) {
        return topLogprobs[row * topN + rank];
    }
}
