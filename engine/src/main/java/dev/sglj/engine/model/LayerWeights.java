package dev.sglj.engine.model;

import dev.sglj.engine.compute.Tensor;

/**
 * One decoder layer's weights on a backend, with the q/k/v and gate/up projections fused by rows
 * ({@code [q + k + v, hidden]}, {@code [2 * intermediate, hidden]}); biases and q/k norms are null
 * when the model has none.
 */
record LayerWeights(
        Tensor inputNorm,
        Tensor qkvProj, Tensor qkvBias,
        Tensor oProj, Tensor oBias,
        Tensor qNorm, Tensor kNorm,
        Tensor postAttentionNorm,
        Tensor gateUpProj, Tensor downProj) {}
