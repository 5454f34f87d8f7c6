package dev.sglj.engine;

import java.util.List;

/**
 * What a request produced: the new token ids, why it stopped, and, when asked for, the
 * log-probabilities of output tokens and of prompt tokens from {@code logprob_start_len} on.
 */
public record GenerateResult(
        int[] outputIds,
        FinishReason finishReason,
        int promptTokens,
        int cachedTokens,
        List<TokenLogprob> outputLogprobs,
        List<TokenLogprob> inputLogprobs) {}
