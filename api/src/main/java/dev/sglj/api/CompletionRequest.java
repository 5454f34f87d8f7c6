package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/completions}. {@code prompt} is a string, a list of strings, a list of token ids or a
 * list of such lists. {@code logprobs} is the number of top alternatives per token (legacy format).
 */
public record CompletionRequest(
        String model,
        JsonNode prompt,
        @JsonProperty("max_tokens") Integer maxTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        Integer n,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Integer logprobs,
        Boolean echo,
        JsonNode stop,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("logit_bias") Map<String, Float> logitBias,
        Long seed,
        String suffix,
        String user,
        @JsonProperty("best_of") Integer bestOf,
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
        @JsonProperty("response_format") JsonNode responseFormat,
        String rid) implements SglangSamplingFields {

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }
}
