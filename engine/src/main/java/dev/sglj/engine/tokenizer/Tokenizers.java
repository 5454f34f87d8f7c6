package dev.sglj.engine.tokenizer;

import java.nio.file.Path;

/** Entry points: a checkpoint's tokenizer, or the built-in Qwen3 tokenizer. */
public final class Tokenizers {

    private static final String QWEN3 = "/dev/sglj/engine/tokenizer/builtin/qwen3/";

    private Tokenizers() {
    }

    /** The tokenizer of a model directory (tokenizer.json, tokenizer_config.json, generation_config.json). */
    public static Tokenizer load(Path modelDir) {
        return HfTokenizer.load(modelDir);
    }

    /**
     * The real Qwen3 tokenizer (vocabulary 151,669 ids with added tokens; EOS {@code <|im_end|>} and
     * {@code <|endoftext|>} as in Qwen3's generation_config.json), shipped gzip-compressed as a resource.
     */
    public static Tokenizer builtinQwen3() {
        return HfTokenizer.load(TokenizerFiles.fromResources(QWEN3));
    }
}
