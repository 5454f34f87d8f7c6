/**
 * Tokenizers of Hugging Face checkpoints: {@code tokenizer.json} + {@code tokenizer_config.json}
 * (+ {@code generation_config.json} for EOS ids), behind {@link dev.sglj.engine.tokenizer.Tokenizer}.
 *
 * <p>Contract: {@link dev.sglj.engine.tokenizer.Tokenizer#encode} returns the ids of Hugging Face tokenizers'
 * {@code Tokenizer.encode(text, add_special_tokens)} (through DJL's binding of the Rust library; no truncation,
 * no padding); {@code decode} and the incremental detokenizer are Java ({@link dev.sglj.engine.tokenizer.decode})
 * and equal HF's decode. {@link dev.sglj.engine.tokenizer.StopStringMatcher} cuts a streamed text at stop
 * strings without ever letting part of one out. {@link dev.sglj.engine.tokenizer.Tokenizers#builtinQwen3()} is
 * the real Qwen3 tokenizer shipped as a resource. Chat templates live in the {@code template} subpackage.
 */
package dev.sglj.engine.tokenizer;
