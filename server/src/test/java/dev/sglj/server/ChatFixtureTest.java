package dev.sglj.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.config.ServerArgs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat end to end through the model's real template and tokenizer: a tiny Qwen3 checkpoint with the real
 * Qwen3 tokenizer answers /v1/chat/completions exactly as transformers generates greedily
 * (scripts/server/make_chat_fixture.py).
 */
class ChatFixtureTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/qwen3-chat");
    private static final String TOKENIZER = "/dev/sglj/engine/tokenizer/builtin/qwen3/";

    @TempDir
    static Path modelDir;
    static TestServer s;
    static JsonNode expected;

    @BeforeAll
    static void start() throws IOException {
        for (String name : new String[] {"config.json", "generation_config.json", "model.safetensors"}) {
            Files.copy(FIXTURE.resolve(name), modelDir.resolve(name));
        }
        copyResource(TOKENIZER + "tokenizer.json.gz", modelDir.resolve("tokenizer.json.gz"), false);
        copyResource(TOKENIZER + "tokenizer_config.json.gz", modelDir.resolve("tokenizer_config.json"), true);
        expected = TestServer.JSON.readTree(FIXTURE.resolve("expected.json").toFile());
        s = TestServer.start(ServerArgs.builder().modelPath(modelDir).maxTotalTokens(2048), ServerConfig.onPort(0));
    }

    private static void copyResource(String resource, Path to, boolean gunzip) throws IOException {
        try (InputStream raw = ChatFixtureTest.class.getResourceAsStream(resource)) {
            assertThat(raw).as(resource).isNotNull();
            try (InputStream in = gunzip ? new GZIPInputStream(raw) : raw) {
                Files.copy(in, to);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (s != null) s.close();
    }

    @Test
    void chatEqualsTransformersGreedy() {
        for (JsonNode c : expected.get("cases")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("messages", c.get("messages"));
            body.put("max_tokens", expected.get("max_new_tokens").asInt());
            body.put("temperature", 0);
            if (c.has("chat_template_kwargs")) body.put("chat_template_kwargs", c.get("chat_template_kwargs"));
            var reply = s.post("/v1/chat/completions", body);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode r = reply.json();
            assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(c.get("prompt_ids").size());
            assertThat(r.get("choices").get(0).get("message").get("content").asText())
                    .isEqualTo(c.get("output_text").asText());
            assertThat(r.get("choices").get(0).get("finish_reason").asText()).isEqualTo(c.get("finish_reason").asText());
            assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(c.get("output_ids").size());

            var ids = s.post("/generate", Map.of("input_ids", c.get("prompt_ids"), "sampling_params",
                    Map.of("max_new_tokens", expected.get("max_new_tokens").asInt(), "temperature", 0))).json();
            assertThat(ids.get("output_ids")).isEqualTo(c.get("output_ids"));
        }
    }
}
