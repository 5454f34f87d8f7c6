package dev.sglj.engine.tokenizer.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real models' chat templates over a set of conversations, byte-exact against Python Jinja2 as transformers runs it. */
class RealChatTemplateTest {
    private static final Map<String, ChatTemplate> COMPILED = new HashMap<>();
    private static final Clock CLOCK = Goldens.fixedClock();

    static Stream<Arguments> cases() {
        return Goldens.list("real-goldens.json").stream()
                .map(c -> Arguments.of(c.get("template") + " / " + c.get("conversation"), c));
    }

    @SuppressWarnings("unchecked")
    private static final List<Map<String, Object>> CONVERSATIONS =
            (List<Map<String, Object>>) Goldens.map("conversations.json").get("conversations");

    private static Map<String, Object> conversation(String name) {
        return CONVERSATIONS.stream().filter(c -> c.get("name").equals(name)).findFirst().orElseThrow();
    }

    private static synchronized ChatTemplate template(String name) {
        return COMPILED.computeIfAbsent(name, n -> ChatTemplate.compile(Goldens.text("real/" + n + ".jinja")));
    }

    @SuppressWarnings("unchecked")
    static String render(String templateName, String conversationName) {
        Map<String, Object> meta = Goldens.map("real/" + templateName + ".json");
        Map<String, Object> conv = conversation(conversationName);
        ChatTemplateInput in = new ChatTemplateInput((List<Map<String, Object>>) conv.get("messages"),
                (List<Map<String, Object>>) conv.get("tools"), (Boolean) conv.get("add_generation_prompt"),
                (String) meta.get("bos_token"), (String) meta.get("eos_token"),
                (Map<String, Object>) conv.getOrDefault("kwargs", Map.of()), CLOCK);
        return template(templateName).render(in);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsJinja2(String label, Map<String, Object> golden) {
        String template = (String) golden.get("template");
        String conversation = (String) golden.get("conversation");
        if (golden.containsKey("output")) {
            assertThat(render(template, conversation)).isEqualTo(golden.get("output"));
        } else if ("TemplateError".equals(golden.get("errorType"))) {
            assertThatThrownBy(() -> render(template, conversation)).isInstanceOfSatisfying(TemplateException.class,
                    e -> {
                        assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
                        assertThat(e.getMessage()).isEqualTo(golden.get("error"));
                    });
        } else {
            assertThatThrownBy(() -> render(template, conversation)).isInstanceOf(TemplateException.class);
        }
    }

    @Test
    void everyRealTemplateHasRenderedCases() {
        Map<String, Long> rendered = new HashMap<>();
        for (Map<String, Object> c : Goldens.list("real-goldens.json")) {
            if (c.containsKey("output")) rendered.merge((String) c.get("template"), 1L, Long::sum);
        }
        assertThat(rendered).hasSizeGreaterThanOrEqualTo(13).allSatisfy((t, n) -> assertThat(n).isGreaterThan(3));
    }
}
