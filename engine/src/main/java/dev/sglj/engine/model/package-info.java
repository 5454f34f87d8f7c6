/**
 * Model directories: configuration, weights and the llama-family tensor layout.
 *
 * <p>{@link dev.sglj.engine.model.ModelLoader} turns a Hugging Face directory into a
 * {@link dev.sglj.engine.model.LoadedModel}: {@code config.json} parsed by
 * {@link dev.sglj.engine.model.ModelConfigs} (Llama, Mistral, Qwen2, Qwen3; transformers' defaults
 * for omitted keys; rotary scaling as {@link dev.sglj.engine.model.RopeScaling}, computed by
 * {@link dev.sglj.engine.model.RopeMath} with transformers' formulas), the optional
 * {@code generation_config.json} ({@link dev.sglj.engine.model.GenerationConfigs}), and a
 * {@link dev.sglj.engine.model.WeightSource}: memory-mapped safetensors
 * ({@link dev.sglj.engine.model.SafetensorsWeights}, single, sharded or a plain set of files) or
 * seeded random weights ({@link dev.sglj.engine.model.DummyWeights}, {@code --load-format dummy},
 * which the backend fills in its own memory). {@link dev.sglj.engine.model.LlamaModel} loads through
 * {@code WeightLoading}: one backend tensor per checkpoint tensor, except q/k/v and gate/up, which become
 * one row-stacked weight each (SGLang's {@code qkv_proj}, {@code gate_up_proj}); it logs SGLang's
 * {@code Load weight begin/end} lines and per-shard progress ({@code ShardProgress}).
 *
 * <p>Contract: every failure is a {@link dev.sglj.engine.model.ModelLoadException} whose one-line
 * message names the file and, where one is at fault, the tensor or key. Safetensors checkpoints are
 * verified against {@link dev.sglj.engine.model.LlamaWeightNames#required} at load, so a loaded
 * model has every tensor its config needs with the right shape. Tensors are never copied onto the
 * Java heap; they stay valid until the weight source is closed.
 */
package dev.sglj.engine.model;
