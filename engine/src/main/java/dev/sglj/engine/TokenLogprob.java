package dev.sglj.engine;

import dev.sglj.engine.sampling.TopLogprob;
import java.util.List;

/**
 * Log-probability of one token, with the most likely alternatives at that position (empty unless
 * asked for). {@code logprob} is null for the first prompt token, which has no context.
 */
public record TokenLogprob(int tokenId, Float logprob, List<TopLogprob> top) {}
