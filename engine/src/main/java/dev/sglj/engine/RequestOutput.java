package dev.sglj.engine;

import java.util.List;

/**
 * What one scheduler step produced for one request: the new tokens since the last output (with
 * their logprobs when asked for), counts so far, and the finish reason once it is done. The first
 * output of a request also carries its prompt logprobs when asked for.
 */
public record RequestOutput(
        String rid,
        int[] newTokenIds,
        List<TokenLogprob> newLogprobs,
        List<TokenLogprob> inputLogprobs,
        int promptTokens,
        int cachedTokens,
        int completionTokens,
        FinishReason finishReason) {

    public boolean finished() {
        return finishReason != null;
    }
}
