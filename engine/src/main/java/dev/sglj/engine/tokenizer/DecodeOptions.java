package dev.sglj.engine.tokenizer;

/**
 * Decode settings of a request. {@code spacesBetweenSpecialTokens} is carried for the API (SGLang passes it to
 * transformers), but tokenizer.json tokenizers ignore it in Hugging Face (only slow Python tokenizers use it),
 * so decoding here ignores it too and stays equal to HF's decode.
 */
public record DecodeOptions(boolean skipSpecialTokens, boolean spacesBetweenSpecialTokens) {

    /** SGLang's defaults: skip special tokens, spaces between special tokens. */
    public static final DecodeOptions DEFAULT = new DecodeOptions(true, true);

    public static final DecodeOptions KEEP_SPECIAL = new DecodeOptions(false, true);
}
