package dev.sglj.engine.tokenizer.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One small template per interpreter feature, byte-exact against Python Jinja2 (feature-goldens.json). */
class FeatureTemplateTest {
    private static final Clock CLOCK = Goldens.fixedClock();

    static Stream<Arguments> cases() {
        return Goldens.list("feature-goldens.json").stream().map(c -> Arguments.of(c.get("name"), c));
    }

    @SuppressWarnings("unchecked")
    private static String render(Map<String, Object> golden) {
        return ChatTemplate.compile((String) golden.get("template"))
                .render((Map<String, Object>) golden.get("context"), CLOCK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsJinja2(String name, Map<String, Object> golden) {
        if (golden.containsKey("output")) {
            assertThat(render(golden)).isEqualTo(golden.get("output"));
            return;
        }
        String type = (String) golden.get("errorType");
        assertThatThrownBy(() -> render(golden)).isInstanceOfSatisfying(TemplateException.class, e -> {
            switch (type) {
                case "TemplateError" -> {
                    assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
                    assertThat(e.getMessage()).isEqualTo(golden.get("error"));
                }
                case "TemplateSyntaxError", "TemplateAssertionError" -> {
                    assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX);
                    assertThat(e.detail()).isEqualTo(golden.get("error"));
                    if (golden.containsKey("line")) assertThat(e.line()).isEqualTo(golden.get("line"));
                    assertThat(e.getMessage()).contains("line " + e.line());
                }
                default -> {
                    assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
                    assertThat(e.getMessage()).isEqualTo(golden.get("error"));
                }
            }
        });
    }
}
