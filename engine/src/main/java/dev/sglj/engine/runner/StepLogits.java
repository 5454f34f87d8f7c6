package dev.sglj.engine.runner;

import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;

/**
 * The logits of one forward pass, left where they were computed: sampling and logprobs run there and only
 * token ids and the asked-for logprobs come back. Rows are the batch's logit rows in order. Close it when
 * the step is done (device logits of an eager pass are freed then). Use from the scheduler thread.
 */
public sealed interface StepLogits extends AutoCloseable permits HostLogits, DeviceLogits {

    /**
     * Samples logits row {@code rows[i]} for {@code states[i]} with SGLang's semantics
     * ({@link dev.sglj.engine.sampling.Sampler}), records each token in its state and returns the tokens,
     * with raw-logit logprobs for the states whose request asked for them.
     */
    SampledToken[] sample(int[] rows, RequestSampler[] states);

    /**
     * {@link #sample}, possibly without waiting (the overlap schedule): the returned tokens may still be
     * on their way from the device, and a later step's forward may take them as future input ids before
     * they arrive. Each state's draw index advances now; its tokens are counted when they arrive. Rows that
     * need the logits after the draw (logprobs) or whose draw depends on earlier
     * tokens' values (penalties) are drawn synchronously, as {@link #sample} does, and the result is done.
     * The logits may be closed once this returns.
     */
    StepTokens sampleAsync(int[] rows, RequestSampler[] states);

    /** The raw-logit logprob of {@code tokens[i]} in row {@code rows[i]}, with that row's top {@code topN}. */
    SampledToken[] logprobs(int[] rows, int[] tokens, int topN);

    /** Every row on the host, row-major {@code [rows, vocab]}. */
    float[] toHost();

    @Override
    void close();
}
