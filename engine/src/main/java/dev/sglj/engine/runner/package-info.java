/**
 * Turns scheduled work into forward passes: {@link dev.sglj.engine.runner.ModelRunner} holds the model
 * and its KV memory on a backend (on the GPU, replaying {@link dev.sglj.engine.runner.CudaGraphRunner}
 * decode graphs where a batch fits one) and returns each pass's logits as
 * {@link dev.sglj.engine.runner.StepLogits}, left where they were computed: the step's tokens and logprobs
 * are drawn there (the host {@code Sampler} on the CPU, the sampling kernels on the GPU), so only token
 * ids and asked-for logprobs reach the scheduler. Use a runner from one thread (the scheduler's).
 */
package dev.sglj.engine.runner;
