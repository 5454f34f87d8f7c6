package dev.sglj.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.compute.DType;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} of the llama family into a {@link ModelConfig}, with the
 * defaults of the matching transformers config class for keys a file leaves out.
 */
public final class ModelConfigs {
    /** The {@code architectures[0]} values this engine runs. */
    public static final List<String> SUPPORTED =
            List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM");

    private ModelConfigs() {}

    /** transformers' per-class defaults for the keys a published config may omit. */
    private record ArchDefaults(float rmsNormEps, int maxPositionEmbeddings, Integer numKvHeads, Integer headDim) {}

    private static ArchDefaults defaults(String architecture) {
        return switch (architecture) {
            case "LlamaForCausalLM" -> new ArchDefaults(1e-6f, 2048, null, null);
            case "MistralForCausalLM" -> new ArchDefaults(1e-6f, 4096 * 32, 8, null);
            case "Qwen2ForCausalLM" -> new ArchDefaults(1e-6f, 32768, 32, null);
            case "Qwen3ForCausalLM" -> new ArchDefaults(1e-6f, 32768, 32, 128);
            default -> throw new IllegalStateException(architecture);
        };
    }

    public static ModelConfig parse(Path configJson) {
        JsonNode root = Json.readObject(configJson);
        String arch = architecture(root, configJson);
        ArchDefaults d = defaults(arch);

        int vocab = Json.positiveInt(root, "vocab_size", configJson);
        int hidden = Json.positiveInt(root, "hidden_size", configJson);
        int intermediate = Json.positiveInt(root, "intermediate_size", configJson);
        int layers = Json.positiveInt(root, "num_hidden_layers", configJson);
        int heads = Json.positiveInt(root, "num_attention_heads", configJson);
        Integer kvHeads = Json.optInt(root, "num_key_value_heads", configJson);
        int numKvHeads = kvHeads != null ? kvHeads : d.numKvHeads() != null ? d.numKvHeads() : heads;
        if (numKvHeads <= 0 || heads % numKvHeads != 0) {
            throw new ModelLoadException(configJson + ": num_attention_heads " + heads
                    + " must be a positive multiple of num_key_value_heads " + numKvHeads);
        }
        int headDim = headDim(root, configJson, d, hidden, heads);

        Double eps = Json.optDouble(root, "rms_norm_eps", configJson);
        Boolean tie = Json.optBool(root, "tie_word_embeddings", configJson);
        Integer maxPos = Json.optInt(root, "max_position_embeddings", configJson);
        int maxPositions = maxPos != null ? maxPos : d.maxPositionEmbeddings();
        Boolean mlpBias = Json.optBool(root, "mlp_bias", configJson);
        if (Boolean.TRUE.equals(mlpBias)) {
            throw new ModelLoadException(configJson + ": mlp_bias=true is not supported");
        }

        return new ModelConfig(
                arch,
                Json.optText(root, "model_type", configJson),
                vocab,
                hidden,
                intermediate,
                layers,
                heads,
                numKvHeads,
                headDim,
                eps != null ? eps.floatValue() : d.rmsNormEps(),
                tie != null && tie,
                attentionBias(root, arch, configJson),
                arch.equals("Qwen3ForCausalLM"),
                maxPositions,
                RopeConfigs.parse(root, configJson, maxPositions),
                dtype(root, configJson),
                Json.optIntList(root, "eos_token_id", configJson),
                Json.optInt(root, "bos_token_id", configJson));
    }

    /** {@code architectures[0]}; without that list, the class transformers maps {@code model_type} to. */
    private static String architecture(JsonNode root, Path file) {
        JsonNode archs = Json.field(root, "architectures");
        String arch;
        if (archs == null) {
            String modelType = Json.optText(root, "model_type", file);
            arch = modelType == null ? null : switch (modelType) {
                case "llama" -> "LlamaForCausalLM";
                case "mistral" -> "MistralForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                case "qwen3" -> "Qwen3ForCausalLM";
                default -> "model_type " + modelType;
            };
            if (arch == null) {
                throw new ModelLoadException(file + ": neither 'architectures' nor 'model_type' is given; supported: "
                        + String.join(", ", SUPPORTED));
            }
        } else if (archs.isArray() && !archs.isEmpty() && archs.get(0).isTextual()) {
            arch = archs.get(0).textValue();
        } else {
            throw new ModelLoadException(file + ": 'architectures' must be a non-empty list of names (got " + archs + ")");
        }
        if (!SUPPORTED.contains(arch)) {
            throw new ModelLoadException("unsupported architecture " + arch + " in " + file + "; supported: "
                    + String.join(", ", SUPPORTED));
        }
        return arch;
    }

    /** Explicit {@code head_dim} when set (it may differ from hidden/heads), else the class default. */
    private static int headDim(JsonNode root, Path file, ArchDefaults d, int hidden, int heads) {
        boolean present = root.has("head_dim");
        Integer explicit = Json.optInt(root, "head_dim", file);
        if (explicit != null) {
            if (explicit <= 0 || explicit % 2 != 0) {
                throw new ModelLoadException(file + ": 'head_dim' must be a positive even number (got " + explicit + ")");
            }
            return explicit;
        }
        if (!present && d.headDim() != null) {
            return d.headDim();
        }
        if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
            throw new ModelLoadException(file + ": hidden_size " + hidden + " / num_attention_heads " + heads
                    + " is not an even head size and no head_dim is given");
        }
        return hidden / heads;
    }

    /** Qwen2 always has q/k/v bias; Llama and Qwen3 follow {@code attention_bias}; Mistral has none. */
    private static boolean attentionBias(JsonNode root, String arch, Path file) {
        return switch (arch) {
            case "Qwen2ForCausalLM" -> true;
            case "MistralForCausalLM" -> false;
            default -> Boolean.TRUE.equals(Json.optBool(root, "attention_bias", file));
        };
    }

    /** {@code torch_dtype}, or {@code dtype} as newer transformers write it; BF16 when absent. */
    private static DType dtype(JsonNode root, Path file) {
        String name = Json.optText(root, "torch_dtype", file);
        if (name == null) {
            name = Json.optText(root, "dtype", file);
        }
        if (name == null) {
            return DType.BF16;
        }
        return switch (name.startsWith("torch.") ? name.substring(6) : name) {
            case "bfloat16" -> DType.BF16;
            case "float16", "half" -> DType.F16;
            case "float32", "float" -> DType.F32;
            default -> throw new ModelLoadException(file + ": torch_dtype '" + name
                    + "' is not supported (bfloat16, float16, float32)");
        };
    }
}
