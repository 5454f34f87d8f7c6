/**
 * Turns scheduled work into forward passes: {@link dev.sglj.engine.runner.ModelRunner} holds the model
 * and its KV memory on a backend (on the GPU, replaying {@link dev.sglj.engine.runner.CudaGraphRunner}
 * decode graphs where a batch fits one) and returns each pass's logits as
 * {@link dev.sglj.engine.runner.StepLogits}, left where they were computed: the step's tokens and logprobs
 * are drawn there (the host {@code Sampler} on the CPU, the sampling kernels on the GPU), so only token
 * ids and asked-for logprobs reach the scheduler. Use a runner from one thread (the scheduler's).
 *
 * <p>For the overlap schedule, {@link dev.sglj.engine.runner.StepLogits#sampleAsync} returns
 * {@link dev.sglj.engine.runner.StepTokens} that may still be on the GPU (an asynchronous draw into one of
 * two alternating {@code TokenBuffer}s, {@code TokenRing}) and
 * {@link dev.sglj.engine.runner.ModelRunner#run(dev.sglj.engine.model.ForwardBatch, StepTokens)} takes a
 * batch whose input ids {@code -(i + 1)} name token {@code i} of the previous draw: substituted on the host
 * when that draw is done (always on the CPU), else by a kernel on the stream before the graph replay or the
 * eager embedding. A draw runs synchronously when a row asks for logprobs or carries a penalty over earlier
 * tokens' values. The caller awaits a draw's tokens before it launches
 * the step after the next one, which is what lets two buffers suffice.
 */
package dev.sglj.engine.runner;
