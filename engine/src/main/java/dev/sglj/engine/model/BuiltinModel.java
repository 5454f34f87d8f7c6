package dev.sglj.engine.model;

import dev.sglj.engine.compute.DType;

/**
 * The model served when no {@code --model-path} is given: a small Qwen3-architecture model with
 * random weights (deterministic, built at start) and the real Qwen3 vocabulary, so the engine runs
 * on a fresh machine with no download. It answers gibberish.
 */
public final class BuiltinModel {
    public static final String NAME = "sglj-builtin-qwen3-tiny";
    private static final long SEED = 20261127L;

    private BuiltinModel() {}

    public static ModelConfig config() {
        return new ModelConfig("Qwen3ForCausalLM", "qwen3", 151936, 256, 768, 4, 4, 2, 64, 1e-6f,
                true, false, true, 4096, new RopeScaling.Default(1_000_000.0), DType.BF16,
                new int[] {151645, 151643}, 151643);
    }

    public static LoadedModel load() {
        return ModelLoader.dummy(config(), SEED);
    }
}
