/**
 * The compute SPI: {@link dev.sglj.engine.compute.Backend} owns device tensors and runs the ops of a
 * forward pass over a ragged batch (all new tokens of all requests flattened into rows). Model code
 * is written once against it; {@code cpu} and {@code cuda} implement it. Tensors are row-major and
 * contiguous, activations F32 (CPU) and weights in the checkpoint dtype. Projections that share an
 * input are fused at the model level (q/k/v, gate/up) through row-stacked weights
 * ({@code Backend.weightRows}) and the ops that read their outputs ({@code qkvToCache},
 * {@code siluAndMul}); the residual stream between the norms is a {@link dev.sglj.engine.compute.ResidualSum},
 * so that a backend can fold the norms into the ops around them ({@code embeddingIntoResidual},
 * {@code linearIntoResidual}, {@code normedQkvToCache}, {@code normedGateUpSiluAndMul}; composed from the
 * plain ops by default). {@link dev.sglj.engine.compute.HostMemory} and
 * {@link dev.sglj.engine.compute.UniformFill} serve host-side weights (huge-page buffers, seeded dummy values).
 */
package dev.sglj.engine.compute;
