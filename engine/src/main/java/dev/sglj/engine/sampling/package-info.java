/**
 * Sampling: request parameters and the choice of the next token from a model's logits.
 *
 * <p>{@link dev.sglj.engine.sampling.SamplingParams} carries SGLang's sampling parameters (names,
 * defaults, validation, generation-config defaults). A {@link dev.sglj.engine.sampling.RequestSampler}
 * holds one request's sampling state (tokens seen for the penalties, output length, seeded random stream);
 * a {@link dev.sglj.engine.sampling.Sampler} turns a batch of raw F32 logit rows into one
 * {@link dev.sglj.engine.sampling.SampledToken} per row: penalties and logit_bias, then greedy or
 * temperature + top-k + top-p + min-p sampling with SGLang's semantics, plus logprobs of the raw logits
 * ({@link dev.sglj.engine.sampling.Logprobs}) when asked. Same seed and same logits give the same tokens.
 * Nothing here touches device memory; callers pass host float arrays. A request's logit changes
 * (penalties, min_new_tokens masking, logit_bias) are merged per token into a
 * {@link dev.sglj.engine.sampling.LogitChangeSet}, which a device sampler applies with the same
 * arithmetic, and {@link dev.sglj.engine.sampling.RequestSampler#uniform()} is the step's draw. A draw
 * whose token comes back later (the overlap schedule) is {@code advanceDraw} now and {@code countToken}
 * when it arrives; only the penalties over earlier tokens' values
 * ({@link dev.sglj.engine.sampling.RequestSampler#dependsOnTokens()}) need every token counted before the
 * next draw.
 */
package dev.sglj.engine.sampling;
