package dev.sglj.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Encode and decode equal Hugging Face tokenizers' on every fixture tokenizer and corpus text. */
class HfParityTest {

    static final java.util.List<String> NAMES = FixtureTokenizers.NAMES;

    @ParameterizedTest
    @FieldSource("NAMES")
    void encodeEqualsHf(String name) {
        Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
        JsonNode cases = FixtureTokenizers.expected(name).path("cases");
        assertThat(cases.size()).isGreaterThan(40);
        for (JsonNode c : cases) {
            String text = c.path("text").asText();
            assertThat(tokenizer.encode(text, true)).as("%s encode(add_special_tokens=True) of %s", name, abbreviate(text))
                    .containsExactly(FixtureTokenizers.ids(c.path("ids")));
            assertThat(tokenizer.encode(text, false)).as("%s encode(add_special_tokens=False) of %s", name, abbreviate(text))
                    .containsExactly(FixtureTokenizers.ids(c.path("ids_no_special")));
        }
    }

    @ParameterizedTest
    @FieldSource("NAMES")
    void decodeEqualsHf(String name) {
        Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
        JsonNode expected = FixtureTokenizers.expected(name);
        int checked = 0;
        for (String section : new String[] {"cases", "random_sequences"}) {
            for (JsonNode c : expected.path(section)) {
                int[] ids = FixtureTokenizers.ids(c.path("ids"));
                assertThat(tokenizer.decode(ids, DecodeOptions.KEEP_SPECIAL)).as("%s decode of %s", name, c.path("ids"))
                        .isEqualTo(c.path("decode").asText());
                assertThat(tokenizer.decode(ids, DecodeOptions.DEFAULT)).as("%s decode(skip) of %s", name, c.path("ids"))
                        .isEqualTo(c.path("decode_skip").asText());
                assertThat(tokenizer.decode(ids, new DecodeOptions(false, false)))
                        .isEqualTo(c.path("decode_no_spaces_between_special").asText());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(80);
    }

    @ParameterizedTest
    @FieldSource("NAMES")
    void streamedDecodeOfCorpusEqualsHf(String name) {
        Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
        for (JsonNode c : FixtureTokenizers.expected(name).path("cases")) {
            var detokenizer = tokenizer.newDetokenizer(DecodeOptions.DEFAULT);
            var out = new StringBuilder();
            for (int id : FixtureTokenizers.ids(c.path("ids"))) {
                out.append(detokenizer.push(id));
            }
            out.append(detokenizer.finish());
            assertThat(out.toString()).isEqualTo(c.path("decode_skip").asText());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? "'" + text + "'" : "'" + text.substring(0, 40) + "...'";
    }
}
