package dev.sglj.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.config.ServerArgs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transformers fixture model (no tokenizer) served with an API key and a small body limit: its greedy
 * tokens and logprobs through {@code /generate} equal transformers', and every error case is answered
 * with its status and OpenAI error JSON while the server keeps serving.
 */
class FixtureServerTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.onPort(0).withApiKey("sk-test").withMaxRequestBytes(4096);
        s = TestServer.start(ServerArgs.builder().modelPath(TestServer.FIXTURES.resolve("qwen3")).maxTotalTokens(2048),
                config);
        s.apiKey = "sk-test";
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void greedyTokensAndLogprobsMatchTransformers() throws IOException {
        JsonNode expected = TestServer.JSON.readTree(Files.readString(TestServer.FIXTURES.resolve("qwen3/expected.json")));
        for (JsonNode c : expected.get("cases")) {
            JsonNode out = s.post("/generate", Map.of("input_ids", c.get("prompt"), "return_logprob", true,
                    "sampling_params", Map.of("max_new_tokens", c.get("max_new_tokens").asInt(), "temperature", 0,
                            "ignore_eos", true))).json();
            assertThat(out.has("text")).isFalse();
            assertThat(out.get("output_ids")).isEqualTo(c.get("output"));
            JsonNode lp = out.get("meta_info").get("output_token_logprobs");
            for (int i = 0; i < lp.size(); i++) {
                assertThat(lp.get(i).get(0).asDouble()).isCloseTo(c.get("output_logprobs").get(i).asDouble(),
                        within(1e-3));
            }
        }
    }

    @Test
    void authIsRequiredButHealthIsOpen() {
        String key = s.apiKey;
        try {
            s.apiKey = null;
            assertThat(s.get("/health").status()).isEqualTo(200);
            var r = s.get("/v1/models");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().get("error").get("type").asText()).isEqualTo("authentication_error");
            assertThat(s.post("/generate", Map.of("input_ids", List.of(1, 2))).status()).isEqualTo(401);
            s.apiKey = "wrong";
            assertThat(s.get("/get_model_info").status()).isEqualTo(401);
        } finally {
            s.apiKey = key;
        }
        assertThat(s.get("/v1/models").status()).isEqualTo(200);
    }

    @Test
    void errorCasesAnswerWithStatusAndErrorJson() {
        expectError(s.post("/generate", "{\"input_ids\": [1, 2"), 400, "malformed JSON");
        expectError(s.post("/generate", "[1, 2]"), 400, "JSON object");
        var wrongType = s.post("/generate", "{\"input_ids\": [1, 2], \"stream\": {\"a\": 1}}");
        expectError(wrongType, 400, "stream");
        assertThat(wrongType.json().get("error").get("param").asText()).isEqualTo("stream");
        expectError(s.post("/generate", Map.of("input_ids", List.of(1), "sampling_params",
                Map.of("max_new_tokens", "many"))), 400, "max_new_tokens");
        expectError(s.post("/generate", Map.of("input_ids", List.of(1), "text", "x")), 400, "Either text or input_ids");
        expectError(s.post("/generate", Map.of("text", "hello")), 400, "no tokenizer");
        expectError(s.post("/generate", Map.of("input_ids", List.of(1, 9999))), 400, "outside the vocabulary");
        expectError(s.post("/generate", Map.of("input_ids", new int[300])), 400, "context length");
        expectError(s.post("/generate", Map.of("input_ids", List.of(1), "sampling_params", Map.of("top_p", 0))), 400,
                "top_p");
        expectError(s.post("/generate", Map.of("input_ids", List.of(1), "sampling_params", Map.of("regex", "a+"))),
                400, "regex");
        expectError(s.post("/v1/completions", Map.of("model", "nope", "prompt", List.of(1, 2))), 400, "nope");
        expectError(s.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "hi")),
                "tools", List.of(Map.of("type", "function")))), 400, "tools");
        expectError(s.get("/no/such/route"), 404, "no route");
        expectError(s.post("/generate", Map.of("input_ids", new int[3000])), 413, "limit");
        var chunked = s.send(HttpRequest.newBuilder(URI.create(s.base() + "/generate"))
                .header("Authorization", "Bearer sk-test")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        ("{\"input_ids\": [" + "1, ".repeat(3000) + "1]}").getBytes()))).build());
        expectError(chunked, 413, "limit");
        var ok = s.post("/generate", Map.of("input_ids", List.of(1, 2, 3), "sampling_params", Map.of("max_new_tokens", 2)));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("output_ids")).hasSize(2);
    }

    @Test
    void completionsAcceptTokenPrompts() {
        var r = s.post("/v1/completions", Map.of("model", s.server.settings().get("served_model_name"),
                "prompt", List.of(3, 4, 5), "max_tokens", 4, "temperature", 0));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("usage").get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(r.json().get("usage").get("prompt_tokens_details").get("cached_tokens").isInt()).isTrue();
    }

    private static void expectError(TestServer.Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode error = r.json().get("error");
        assertThat(error.get("message").asText()).contains(messagePart);
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("code").isNull()).isFalse();
    }
}
