package dev.sglj.engine.sampling;

/** One entry of a top-N logprob list: a token and its log-probability under the raw logits. */
public record TopLogprob(int tokenId, float logprob) {
}
