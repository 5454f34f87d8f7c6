package dev.sglj.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a checkpoint's {@code generation_config.json}; the file is optional. */
public final class GenerationConfigs {
    private GenerationConfigs() {}

    /** The sampling defaults in {@code file}, or {@link GenerationConfig#empty()} when there is no such file. */
    public static GenerationConfig parse(Path file) {
        if (!Files.exists(file)) {
            return GenerationConfig.empty();
        }
        JsonNode root = Json.readObject(file);
        return new GenerationConfig(
                Json.optDouble(root, "temperature", file),
                Json.optDouble(root, "top_p", file),
                Json.optInt(root, "top_k", file),
                Json.optDouble(root, "min_p", file),
                Json.optDouble(root, "repetition_penalty", file),
                Json.optInt(root, "max_new_tokens", file),
                Json.optIntList(root, "eos_token_id", file),
                Json.optInt(root, "bos_token_id", file));
    }
}
