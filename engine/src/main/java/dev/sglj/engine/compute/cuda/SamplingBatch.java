package dev.sglj.engine.compute.cuda;

/**
 * The rows {@link CudaBackend#sample} samples, one entry per sampled row (arrays of equal length):
 * which row of the logits it reads and its parameters. Greedy when the temperature is below 1e-6 or
 * top_k is 1; a top_k of at least the vocabulary (or below 1) cuts nothing, as top_p 1 and min_p 0 do.
 * Parameters are float, as SGLang's sampling tensors; uniforms are the requests' draws in [0, 1)
 * ({@code RequestSampler.uniform()}).
 */
public record SamplingBatch(int[] logitRows, float[] temperatures, int[] topKs, float[] topPs, float[] minPs,
                            double[] uniforms) {
    public SamplingBatch {
        int n = logitRows.length;
        if (temperatures.length != n || topKs.length != n || topPs.length != n || minPs.length != n
                || uniforms.length != n) {
            throw new IllegalArgumentException("sampling batch: logitRows, temperatures, topKs, topPs, minPs and"
                    + " uniforms must have equal lengths, got " + n + ", " + temperatures.length + ", "
                    + topKs.length + ", " + topPs.length + ", " + minPs.length + ", " + uniforms.length);
        }
    }

    public int size() {
        return logitRows.length;
    }

    /** Whether every row takes its row's first maximum. */
    public boolean allGreedy(int vocab) {
        for (int i = 0; i < size(); i++) {
            if (!greedy(i, vocab)) return false;
        }
        return true;
    }

    /** Row i takes the first maximum (temperature 0 or top_k 1), as sample_rows decides. */
    boolean greedy(int i, int vocab) {
        return temperatures[i] < 1e-6f || topK(i, vocab) == 1;
    }

    /** Row i's top_k with "none" (0, negative, or above the vocabulary) as the vocabulary. */
    private int topK(int i, int vocab) {
        return topKs[i] <= 0 || topKs[i] > vocab ? vocab : topKs[i];
    }
}
