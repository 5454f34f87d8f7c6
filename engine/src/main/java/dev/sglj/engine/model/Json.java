package dev.sglj.engine.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Typed reads of the JSON files in a model directory, each failure naming the file and key. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static JsonNode readObject(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new ModelLoadException("invalid JSON in " + file + ": " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("missing file " + file, e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + " must hold a JSON object");
        }
        return root;
    }

    /** The value of {@code key}, treating JSON null as absent. */
    static JsonNode field(JsonNode obj, String key) {
        JsonNode n = obj.get(key);
        return n == null || n.isNull() ? null : n;
    }

    static Integer optInt(JsonNode obj, String key, Path file) {
        JsonNode n = field(obj, key);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Math.abs(n.asDouble()) < Integer.MAX_VALUE) {
                return (int) n.asDouble();
            }
            throw new ModelLoadException(file + ": '" + key + "' must be an integer (got " + n + ")");
        }
        return n.intValue();
    }

    static int requireInt(JsonNode obj, String key, Path file) {
        Integer v = optInt(obj, key, file);
        if (v == null) {
            throw new ModelLoadException(file + ": missing required key '" + key + "'");
        }
        return v;
    }

    static int positiveInt(JsonNode obj, String key, Path file) {
        int v = requireInt(obj, key, file);
        if (v <= 0) {
            throw new ModelLoadException(file + ": '" + key + "' must be positive (got " + v + ")");
        }
        return v;
    }

    static Double optDouble(JsonNode obj, String key, Path file) {
        JsonNode n = field(obj, key);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw new ModelLoadException(file + ": '" + key + "' must be a number (got " + n + ")");
        }
        return n.doubleValue();
    }

    static Boolean optBool(JsonNode obj, String key, Path file) {
        JsonNode n = field(obj, key);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new ModelLoadException(file + ": '" + key + "' must be true or false (got " + n + ")");
        }
        return n.booleanValue();
    }

    static String optText(JsonNode obj, String key, Path file) {
        JsonNode n = field(obj, key);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ModelLoadException(file + ": '" + key + "' must be a string (got " + n + ")");
        }
        return n.textValue();
    }

    /** An int or a list of ints (as {@code eos_token_id}); null when absent. */
    static int[] optIntList(JsonNode obj, String key, Path file) {
        JsonNode n = field(obj, key);
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return new int[] {n.intValue()};
        }
        if (n.isArray()) {
            int[] out = new int[n.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = n.get(i);
                if (!e.isIntegralNumber()) {
                    throw new ModelLoadException(file + ": '" + key + "' must hold integers (got " + n + ")");
                }
                out[i] = e.intValue();
            }
            return out;
        }
        throw new ModelLoadException(file + ": '" + key + "' must be an integer or a list of integers (got " + n + ")");
    }
}
