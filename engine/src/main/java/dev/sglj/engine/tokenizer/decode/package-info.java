/**
 * Decoding of token ids to text, in Java, mirroring Hugging Face tokenizers' decoder pipeline.
 *
 * <p>Contract: {@link dev.sglj.engine.tokenizer.decode.DecoderPipeline#decode} returns exactly what
 * {@code tokenizers.Tokenizer.decode(ids, skip_special_tokens)} returns for the same {@code tokenizer.json}
 * (which transformers 5 returns too for BPE models), for the decoder types {@code ByteLevel}, {@code Replace}
 * (string patterns), {@code ByteFallback}, {@code Fuse}, {@code Strip}, {@code Metaspace} and {@code Sequence}
 * of those; any other type is rejected at load with a one-line error. Lossy UTF-8 decoding replaces invalid
 * bytes as Rust's {@code String::from_utf8_lossy} does.
 *
 * <p>Every decoder exists twice: as a batch {@code decodeChain} over the token strings (a line-by-line
 * mirror of the Rust code), and as a streaming {@link dev.sglj.engine.tokenizer.decode.TokenSink} stage that
 * passes on only text no later token can change. A stream's concatenated output equals the batch decode of
 * the same tokens; the incremental detokenizer is built on the streams.
 */
package dev.sglj.engine.tokenizer.decode;
