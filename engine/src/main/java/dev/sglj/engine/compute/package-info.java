/**
 * The compute SPI: {@link dev.sglj.engine.compute.Backend} owns device tensors and runs the ops of a
 * forward pass over a ragged batch (all new tokens of all requests flattened into rows). Model code
 * is written once against it; {@code cpu} and {@code cuda} implement it. Tensors are row-major and
 * contiguous, activations F32 (CPU) and weights in the checkpoint dtype.
 */
package dev.sglj.engine.compute;
