package dev.sglj.engine.sampling;

import java.util.List;

/**
 * The token picked for one row, with its log-probability under the model's raw logits and the top-N
 * alternatives sorted by logprob descending (ties: lower id first). Without logprobs requested,
 * {@code logprob} is NaN and {@code top} is empty.
 */
public record SampledToken(int tokenId, float logprob, List<TopLogprob> top) {

    public SampledToken {
        top = List.copyOf(top);
    }

    static SampledToken withoutLogprob(int tokenId) {
        return new SampledToken(tokenId, Float.NaN, List.of());
    }

    public boolean hasLogprob() {
        return !Float.isNaN(logprob);
    }
}
