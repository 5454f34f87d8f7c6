package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigsTest {
    @TempDir
    Path tmp;

    @Test
    void qwen25Instruct() throws IOException {
        Path p = tmp.resolve("generation_config.json");
        Files.writeString(p, """
                {
                  "bos_token_id": 151643,
                  "pad_token_id": 151643,
                  "do_sample": true,
                  "eos_token_id": [
                    151645,
                    151643
                  ],
                  "repetition_penalty": 1.05,
                  "temperature": 0.7,
                  "top_p": 0.8,
                  "top_k": 20,
                  "transformers_version": "4.37.0"
                }
                """);
        GenerationConfig g = GenerationConfigs.parse(p);
        assertThat(g.temperature()).isEqualTo(0.7);
        assertThat(g.topP()).isEqualTo(0.8);
        assertThat(g.topK()).isEqualTo(20);
        assertThat(g.repetitionPenalty()).isEqualTo(1.05);
        assertThat(g.minP()).isNull();
        assertThat(g.maxNewTokens()).isNull();
        assertThat(g.eosTokenIds()).containsExactly(151645, 151643);
        assertThat(g.bosTokenId()).isEqualTo(151643);
    }

    @Test
    void singleEosAndMinP() throws IOException {
        Path p = tmp.resolve("generation_config.json");
        Files.writeString(p, "{\"eos_token_id\": 2, \"min_p\": 0.05, \"max_new_tokens\": 256}");
        GenerationConfig g = GenerationConfigs.parse(p);
        assertThat(g.eosTokenIds()).containsExactly(2);
        assertThat(g.minP()).isEqualTo(0.05);
        assertThat(g.maxNewTokens()).isEqualTo(256);
        assertThat(g.temperature()).isNull();
    }

    @Test
    void absentFileIsEmpty() {
        GenerationConfig g = GenerationConfigs.parse(tmp.resolve("generation_config.json"));
        assertThat(g).usingRecursiveComparison().isEqualTo(GenerationConfig.empty());
    }

    @Test
    void wrongTypeIsNamed() throws IOException {
        Path p = tmp.resolve("generation_config.json");
        Files.writeString(p, "{\"top_k\": \"twenty\"}");
        assertThatThrownBy(() -> GenerationConfigs.parse(p)).isInstanceOf(ModelLoadException.class)
                .hasMessage(p + ": 'top_k' must be an integer (got \"twenty\")");
    }
}
