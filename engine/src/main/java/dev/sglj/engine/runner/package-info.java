/**
 * Turns scheduled work into forward passes: {@link dev.sglj.engine.runner.ModelRunner} holds the model
 * and its KV memory on a backend (on the GPU, replaying {@link dev.sglj.engine.runner.CudaGraphRunner}
 * decode graphs where a batch fits one); the batch generator builds ragged
 * {@link dev.sglj.engine.model.ForwardBatch}es (chunked prefill, then decode), samples, and accounts
 * for every KV slot and table row it takes.
 */
package dev.sglj.engine.runner;
