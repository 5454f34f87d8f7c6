package dev.sglj.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * The {@link RopeScaling} of a config: {@code rope_theta} (default 10000) with {@code rope_scaling}
 * ({@code rope_type} or legacy {@code type}), or the {@code rope_parameters} object newer
 * transformers write, with the key defaults of transformers' rope functions.
 */
final class RopeConfigs {
    private static final double DEFAULT_THETA = 10000.0;

    private RopeConfigs() {}

    static RopeScaling parse(JsonNode root, Path file, int maxPositionEmbeddings) {
        JsonNode params = Json.field(root, "rope_parameters");
        JsonNode scaling;
        Double theta;
        if (params != null) {
            requireObject(params, "rope_parameters", file);
            scaling = params;
            theta = Json.optDouble(params, "rope_theta", file);
        } else {
            scaling = Json.field(root, "rope_scaling");
            if (scaling != null) {
                requireObject(scaling, "rope_scaling", file);
            }
            theta = Json.optDouble(root, "rope_theta", file);
        }
        double base = theta != null ? theta : DEFAULT_THETA;
        if (!(base > 1)) {
            throw new ModelLoadException(file + ": rope_theta must be greater than 1 (got " + base + ")");
        }
        if (scaling == null) {
            return new RopeScaling.Default(base);
        }
        String type = Json.optText(scaling, "rope_type", file);
        if (type == null) {
            type = Json.optText(scaling, "type", file);
        }
        return switch (type == null ? "default" : type) {
            case "default" -> new RopeScaling.Default(base);
            case "linear" -> new RopeScaling.Linear(base, factor(scaling, file));
            case "dynamic" -> new RopeScaling.Dynamic(base, factor(scaling, file), maxPositionEmbeddings);
            case "llama3" -> new RopeScaling.Llama3(base, factor(scaling, file),
                    required(scaling, "low_freq_factor", file), required(scaling, "high_freq_factor", file),
                    positive(scaling, "original_max_position_embeddings", file));
            case "yarn" -> yarn(scaling, file, base, maxPositionEmbeddings);
            default -> throw new ModelLoadException(file + ": rope type '" + type
                    + "' is not supported (default, linear, dynamic, llama3, yarn)");
        };
    }

    /**
     * transformers 4.57+/5.x semantics: an explicit {@code factor} wins; without one it is
     * {@code max_position_embeddings / original_max_position_embeddings}. (4.50-4.56 overrode an
     * explicit factor with that ratio, transformers issue 38224.)
     */
    private static RopeScaling.Yarn yarn(JsonNode s, Path file, double base, int maxPositionEmbeddings) {
        Integer original = Json.optInt(s, "original_max_position_embeddings", file);
        int originalMax = original != null ? original : maxPositionEmbeddings;
        if (originalMax <= 0) {
            throw new ModelLoadException(file + ": rope_scaling.original_max_position_embeddings must be positive");
        }
        Double factor = Json.optDouble(s, "factor", file);
        double f = factor != null ? factor : (double) maxPositionEmbeddings / originalMax;
        if (!(f > 0)) {
            throw new ModelLoadException(file + ": rope_scaling.factor must be positive (got " + f + ")");
        }
        return new RopeScaling.Yarn(base, f, originalMax,
                truthyOr(Json.optDouble(s, "beta_fast", file), 32),
                truthyOr(Json.optDouble(s, "beta_slow", file), 1),
                truthyOr(Json.optDouble(s, "mscale", file), 0),
                truthyOr(Json.optDouble(s, "mscale_all_dim", file), 0),
                Json.optDouble(s, "attention_factor", file),
                !Boolean.FALSE.equals(Json.optBool(s, "truncate", file)));
    }

    /** Python's {@code value or fallback}: absent or zero takes the fallback. */
    private static double truthyOr(Double value, double fallback) {
        return value == null || value == 0 ? fallback : value;
    }

    private static double factor(JsonNode s, Path file) {
        double f = required(s, "factor", file);
        if (!(f > 0)) {
            throw new ModelLoadException(file + ": rope_scaling.factor must be positive (got " + f + ")");
        }
        return f;
    }

    private static double required(JsonNode s, String key, Path file) {
        Double v = Json.optDouble(s, key, file);
        if (v == null) {
            throw new ModelLoadException(file + ": rope_scaling needs '" + key + "' for this rope type");
        }
        return v;
    }

    private static int positive(JsonNode s, String key, Path file) {
        Integer v = Json.optInt(s, key, file);
        if (v == null || v <= 0) {
            throw new ModelLoadException(file + ": rope_scaling needs a positive '" + key + "' for this rope type");
        }
        return v;
    }

    private static void requireObject(JsonNode n, String key, Path file) {
        if (!n.isObject()) {
            throw new ModelLoadException(file + ": '" + key + "' must be an object or null (got " + n + ")");
        }
    }
}
