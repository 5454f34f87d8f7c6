package dev.sglj.engine.tokenizer.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateLoaderTest {
    private static final List<Map<String, Object>> HI = List.of(Map.of("role", "user", "content", "hi"));

    @TempDir
    Path dir;

    private static String render(ChatTemplate t) {
        return t.render(ChatTemplateInput.of(HI, false));
    }

    @Test
    void readsStringTemplateFromTokenizerConfig() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"A{{ messages[0].content }}\"}");
        assertThat(render(ChatTemplateLoader.load(dir, null).orElseThrow().select(false))).isEqualTo("Ahi");
    }

    @Test
    void picksDefaultOrToolUseFromNamedTemplates() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"default\", "
                + "\"template\": \"D\"}, {\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"rag\", \"template\": \"R\"}]}");
        ChatTemplateLoader.ModelTemplates t = ChatTemplateLoader.load(dir, null).orElseThrow();
        assertThat(render(t.select(false))).isEqualTo("D");
        assertThat(render(t.select(true))).isEqualTo("T");
        assertThat(t.byName()).containsKeys("default", "tool_use", "rag");
    }

    @Test
    void namedTemplatesWithoutDefaultAreAnError() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"rag\", \"template\": \"R\"}]}");
        ChatTemplateLoader.ModelTemplates t = ChatTemplateLoader.load(dir, null).orElseThrow();
        assertThatThrownBy(() -> t.select(false)).hasMessageContaining("none is named 'default'");
    }

    @Test
    void jinjaFileWinsOverTokenizerConfigAndOverrideWinsOverBoth() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "file\n");
        assertThat(render(ChatTemplateLoader.load(dir, null).orElseThrow().select(false))).isEqualTo("file");
        Path override = Files.writeString(dir.resolve("mine.jinja"), "{{ 'override' }}");
        assertThat(render(ChatTemplateLoader.load(dir, override).orElseThrow().select(true))).isEqualTo("override");
    }

    @Test
    void noTemplateIsEmptyAndMissingOverrideIsAClearError() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertThat(ChatTemplateLoader.load(dir, null)).isEmpty();
        assertThatThrownBy(() -> ChatTemplateLoader.load(dir, dir.resolve("nope.jinja")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--chat-template").hasMessageContaining("nope.jinja");
    }

    @Test
    void syntaxErrorNamesTheFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jinja"), "ok\n{% if x %}\n");
        assertThatThrownBy(() -> ChatTemplateLoader.load(dir, bad)).isInstanceOfSatisfying(TemplateException.class, e -> {
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX);
            assertThat(e.getMessage()).contains("bad.jinja").contains("line 2");
        });
    }

    @Test
    void raiseExceptionCarriesTheTemplatesOwnMessage() {
        ChatTemplate t = ChatTemplate.compile("{{ raise_exception('Only user and assistant roles are supported!') }}");
        assertThatThrownBy(() -> render(t)).isInstanceOfSatisfying(TemplateException.class, e -> {
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
            assertThat(e.getMessage()).isEqualTo("Only user and assistant roles are supported!");
        });
    }
}
