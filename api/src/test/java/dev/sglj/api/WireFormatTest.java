package dev.sglj.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void chunksUseOpenAiNamesAndOmitAbsentUsage() throws Exception {
        var chunk = new ChatCompletionChunk("id1", "chat.completion.chunk", 7, "m",
                List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(null, "hi"), null, null, null)),
                null);
        assertThat(json.writeValueAsString(chunk)).isEqualTo("{\"id\":\"id1\",\"object\":\"chat.completion.chunk\","
                + "\"created\":7,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"logprobs\":null,\"finish_reason\":null,\"matched_stop\":null}]}");
        var usage = Usage.of(3, 4, 2);
        assertThat(json.writeValueAsString(usage)).isEqualTo("{\"prompt_tokens\":3,\"completion_tokens\":4,"
                + "\"total_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":2}}");
    }

    @Test
    void requestsReadSnakeCaseAndSglangExtras() throws Exception {
        ChatCompletionRequest r = json.readValue("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_completion_tokens\":5,\"top_k\":3,\"stop_token_ids\":[1,2],\"stream_options\":"
                + "{\"include_usage\":true},\"chat_template_kwargs\":{\"enable_thinking\":false},\"unknown\":1}",
                ChatCompletionRequest.class);
        assertThat(r.maxCompletionTokens()).isEqualTo(5);
        assertThat(r.topK()).isEqualTo(3);
        assertThat(r.stopTokenIds()).containsExactly(1, 2);
        assertThat(r.streamOptions().usage()).isTrue();
        assertThat(r.chatTemplateKwargs()).containsEntry("enable_thinking", false);
        assertThat(r.streaming()).isFalse();
        GenerateReqInput g = json.readValue("{\"input_ids\":[[1,2],[3]],\"sampling_params\":{\"max_new_tokens\":2},"
                + "\"return_logprob\":true,\"top_logprobs_num\":2}", GenerateReqInput.class);
        assertThat(g.inputIds().get(0).isArray()).isTrue();
        assertThat(json.treeToValue(g.samplingParams(), NativeSamplingParams.class).maxNewTokens()).isEqualTo(2);
        assertThat(g.topLogprobsNum()).isEqualTo(2);
    }

    @Test
    void errorBodyIsOpenAis() throws Exception {
        assertThat(json.writeValueAsString(ErrorResponse.of("bad", "invalid_request_error", "temperature", 400)))
                .isEqualTo("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"temperature\",\"code\":400}}");
    }
}
