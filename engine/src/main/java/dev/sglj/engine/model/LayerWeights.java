package dev.sglj.engine.model;

import dev.sglj.engine.compute.Tensor;

/** One decoder layer's weights on a backend; biases and q/k norms are null when the model has none. */
record LayerWeights(
        Tensor inputNorm,
        Tensor qProj, Tensor qBias,
        Tensor kProj, Tensor kBias,
        Tensor vProj, Tensor vBias,
        Tensor oProj, Tensor oBias,
        Tensor qNorm, Tensor kNorm,
        Tensor postAttentionNorm,
        Tensor gateProj, Tensor upProj, Tensor downProj) {}
