package dev.sglj.engine.compute;

/**
 * Where {@link Backend#qkvToCache}'s work goes for a fused q/k/v row of {@code numHeads} q heads, then
 * {@code numKvHeads} k and v heads of {@code headDim}: the per-head q/k norms (both null or both given),
 * the RoPE table and positions, the q rows, and the caches' rows at {@code outCacheLoc}.
 */
public record QkvTargets(int numHeads, int numKvHeads, int headDim, Tensor qNorm, Tensor kNorm, Tensor positions,
                         Tensor cosSin, Tensor q, Tensor kCache, Tensor vCache, Tensor outCacheLoc) {}
