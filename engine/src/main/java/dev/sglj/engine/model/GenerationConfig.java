package dev.sglj.engine.model;

/**
 * Defaults from a checkpoint's {@code generation_config.json}; every field is null when absent.
 * Sampling parameters a request leaves unset fall back to these, as SGLang does.
 */
public record GenerationConfig(
        Double temperature,
        Double topP,
        Integer topK,
        Double minP,
        Double repetitionPenalty,
        Integer maxNewTokens,
        int[] eosTokenIds,
        Integer bosTokenId) {

    public static GenerationConfig empty() {
        return new GenerationConfig(null, null, null, null, null, null, null, null);
    }
}
