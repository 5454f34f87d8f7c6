package dev.sglj.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NativeApiTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.shared();
    }

    @Test
    void healthAndInfo() {
        assertThat(s.get("/health").status()).isEqualTo(200);
        assertThat(s.get("/health_generate").status()).isEqualTo(200);
        JsonNode info = s.get("/get_model_info").json();
        assertThat(info.get("model_path").asText()).isEqualTo("sglj-builtin-qwen3-tiny");
        assertThat(info.get("is_generation").asBoolean()).isTrue();
        JsonNode server = s.get("/get_server_info").json();
        assertThat(server.get("port").asInt()).isEqualTo(s.server.port());
        assertThat(server.get("max_total_tokens").asInt()).isEqualTo(8192);
        assertThat(server.get("dtype").asText()).isEqualTo("float32");
        assertThat(server.get("disable_overlap_schedule").asBoolean(true)).isFalse();
        assertThat(server.get("internal_states").get(0).has("num_running_reqs")).isTrue();
        JsonNode models = s.get("/v1/models").json();
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo("sglj-builtin-qwen3-tiny");
        assertThat(models.get("data").get(0).get("owned_by").asText()).isEqualTo("sglang");
        assertThat(s.get("/v1/models/sglj-builtin-qwen3-tiny").status()).isEqualTo(200);
        assertThat(s.get("/v1/models/other").status()).isEqualTo(404);
    }

    @Test
    void generateTextAndIdsAgree() {
        var params = Map.of("max_new_tokens", 8, "temperature", 0);
        JsonNode byText = s.post("/generate", Map.of("text", "Hello, world", "sampling_params", params)).json();
        assertThat(byText.get("output_ids")).hasSize(8);
        assertThat(byText.get("meta_info").get("finish_reason").get("type").asText()).isEqualTo("length");
        assertThat(byText.get("meta_info").get("finish_reason").get("length").asInt()).isEqualTo(8);
        assertThat(byText.get("meta_info").get("completion_tokens").asInt()).isEqualTo(8);
        int promptTokens = byText.get("meta_info").get("prompt_tokens").asInt();
        assertThat(promptTokens).isPositive();
        assertThat(byText.get("meta_info").get("e2e_latency").asDouble()).isPositive();

        assertThat(s.post("/flush_cache", "").status()).isEqualTo(200);
        JsonNode encoded = s.post("/generate", Map.of("text", "Hello, world", "sampling_params", params,
                "return_logprob", true, "logprob_start_len", 0)).json();
        JsonNode inputLogprobs = encoded.get("meta_info").get("input_token_logprobs");
        assertThat(inputLogprobs).hasSize(promptTokens);
        assertThat(inputLogprobs.get(0).get(0).isNull()).isTrue();
        int[] ids = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) ids[i] = inputLogprobs.get(i).get(1).asInt();
        JsonNode byIds = s.post("/generate", Map.of("input_ids", ids, "sampling_params", params)).json();
        assertThat(byIds.get("output_ids")).isEqualTo(byText.get("output_ids"));
        assertThat(byIds.get("text").asText()).isEqualTo(byText.get("text").asText());
    }

    @Test
    void batchAndLogprobShapes() {
        JsonNode out = s.post("/generate", Map.of("text", List.of("a b c", "x y"),
                "sampling_params", Map.of("max_new_tokens", 4, "temperature", 0),
                "return_logprob", true, "top_logprobs_num", 3, "return_text_in_logprobs", true)).json();
        assertThat(out.isArray()).isTrue();
        assertThat(out).hasSize(2);
        for (JsonNode r : out) {
            JsonNode meta = r.get("meta_info");
            JsonNode lp = meta.get("output_token_logprobs");
            assertThat(lp).hasSize(4);
            assertThat(lp.get(0)).hasSize(3);
            assertThat(lp.get(0).get(0).isNumber()).isTrue();
            assertThat(lp.get(0).get(1).asInt()).isEqualTo(r.get("output_ids").get(0).asInt());
            assertThat(lp.get(0).get(2).isTextual()).isTrue();
            JsonNode top = meta.get("output_top_logprobs");
            assertThat(top).hasSize(4);
            assertThat(top.get(0)).hasSize(3);
            // greedy: the chosen token is the most likely one
            assertThat(top.get(0).get(0).get(1).asInt()).isEqualTo(lp.get(0).get(1).asInt());
            assertThat(meta.get("input_token_logprobs")).isEmpty();
        }
    }

    @Test
    void streamIsCumulativeAndEqualsNonStreamed() {
        var body = Map.of("text", "Once upon a time", "sampling_params",
                Map.of("max_new_tokens", 12, "temperature", 0.8, "sampling_seed", 7));
        JsonNode whole = s.post("/generate", body).json();
        var streamed = s.post("/generate", Map.of("text", "Once upon a time", "stream", true, "sampling_params",
                Map.of("max_new_tokens", 12, "temperature", 0.8, "sampling_seed", 7)));
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> events = streamed.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        String previous = "";
        JsonNode last = null;
        for (String e : events.subList(0, events.size() - 1)) {
            last = TestServer.JSON.valueToTree(parse(e));
            String text = last.get("text").asText();
            assertThat(text).startsWith(previous);
            previous = text;
        }
        assertThat(last.get("text").asText()).isEqualTo(whole.get("text").asText());
        assertThat(last.get("output_ids")).isEqualTo(whole.get("output_ids"));
        assertThat(last.get("meta_info").get("finish_reason").get("type").asText()).isEqualTo("length");
    }

    @Test
    void nTwoGivesAList() {
        JsonNode out = s.post("/generate", Map.of("text", "abc", "sampling_params",
                Map.of("max_new_tokens", 3, "n", 2, "sampling_seed", 1))).json();
        assertThat(out.isArray()).isTrue();
        assertThat(out).hasSize(2);
    }

    @Test
    void flushAndAbort() {
        assertThat(s.post("/flush_cache", "").status()).isEqualTo(200);
        assertThat(s.post("/abort_request", Map.of("rid", "nope")).status()).isEqualTo(200);
        assertThat(s.post("/abort_request", Map.of()).status()).isEqualTo(400);
    }

    static JsonNode parse(String json) {
        try {
            return TestServer.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
