package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}. Messages stay JSON objects (role, content as a string or a list of
 * parts, tool_calls, ...) since the chat template sees them as sent.
 */
public record ChatCompletionRequest(
        String model,
        List<JsonNode> messages,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        Integer n,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        JsonNode stop,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("logit_bias") Map<String, Float> logitBias,
        Long seed,
        String user,
        JsonNode tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("response_format") JsonNode responseFormat,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        @JsonProperty("min_tokens") Integer minTokens,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("stop_token_ids") List<Integer> stopTokenIds,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        @JsonProperty("skip_special_tokens") Boolean skipSpecialTokens,
        @JsonProperty("no_stop_trim") Boolean noStopTrim,
        String regex,
        @JsonProperty("json_schema") JsonNode jsonSchema,
        String ebnf,
        @JsonProperty("chat_template_kwargs") Map<String, Object> chatTemplateKwargs,
        String rid) implements SglangSamplingFields {

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }
}
