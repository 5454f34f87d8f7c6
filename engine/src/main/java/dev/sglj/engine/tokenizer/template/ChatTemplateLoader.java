package dev.sglj.engine.tokenizer.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a model's chat template as transformers does: {@code chat_template.jinja} in the model directory, else
 * {@code chat_template} in {@code chat_template.json}, else in {@code tokenizer_config.json} (a string, or a list
 * of {@code {name, template}} where "default" is used, and "tool_use" when the request has tools). A
 * {@code --chat-template FILE} overrides all of them.
 */
public final class ChatTemplateLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTemplateLoader() {
    }

    /** The templates a model ships, by name ("default" for a single one). */
    public record ModelTemplates(Map<String, ChatTemplate> byName) {
        /** The template transformers would pick for a request with or without tools. */
        public ChatTemplate select(boolean hasTools) {
            if (hasTools && byName.containsKey("tool_use")) return byName.get("tool_use");
            ChatTemplate t = byName.get("default");
            if (t == null) {
                throw new IllegalStateException("the model has several chat templates " + byName.keySet()
                        + " and none is named 'default'");
            }
            return t;
        }
    }

    /**
     * Loads the chat template for a model directory, or the override file when given.
     *
     * @return empty when neither the override nor the model provides a template
     */
    public static Optional<ModelTemplates> load(Path modelDir, Path overrideFile) {
        if (overrideFile != null) {
            if (!Files.isRegularFile(overrideFile)) {
                throw new IllegalArgumentException("--chat-template: no such file: " + overrideFile);
            }
            return Optional.of(single(read(overrideFile)));
        }
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) return Optional.of(single(read(jinja)));
        for (String name : new String[] {"chat_template.json", "tokenizer_config.json"}) {
            Path file = modelDir.resolve(name);
            if (!Files.isRegularFile(file)) continue;
            Optional<ModelTemplates> t = fromConfig(file);
            if (t.isPresent()) return t;
        }
        return Optional.empty();
    }

    /** Reads the {@code chat_template} field of a tokenizer_config.json-like file. */
    public static Optional<ModelTemplates> fromConfig(Path configFile) {
        JsonNode field;
        try {
            field = JSON.readTree(configFile.toFile()).get("chat_template");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template from " + configFile + ": " + e.getMessage(), e);
        }
        if (field == null || field.isNull()) return Optional.empty();
        if (field.isTextual()) return Optional.of(single(compile(field.asText(), configFile)));
        if (!field.isArray()) {
            throw new IllegalArgumentException(configFile + ": chat_template must be a string or a list of"
                    + " {name, template}");
        }
        Map<String, ChatTemplate> named = new LinkedHashMap<>();
        for (JsonNode entry : field) {
            JsonNode name = entry.get("name");
            JsonNode template = entry.get("template");
            if (name == null || template == null || !name.isTextual() || !template.isTextual()) {
                throw new IllegalArgumentException(configFile + ": each chat_template entry needs a string 'name' and"
                        + " 'template'");
            }
            named.put(name.asText(), compile(template.asText(), configFile));
        }
        return Optional.of(new ModelTemplates(Map.copyOf(named)));
    }

    private static ModelTemplates single(ChatTemplate t) {
        return new ModelTemplates(Map.of("default", t));
    }

    private static ChatTemplate read(Path file) {
        try {
            return compile(Files.readString(file, StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template " + file + ": " + e.getMessage(), e);
        }
    }

    private static ChatTemplate compile(String source, Path from) {
        try {
            return ChatTemplate.compile(source);
        } catch (TemplateException e) {
            throw new TemplateException(e.kind(), from + ": " + e.detail(), e.line());
        }
    }
}
