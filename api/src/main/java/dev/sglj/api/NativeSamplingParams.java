package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The {@code sampling_params} object of {@code /generate}, SGLang's names; null means not sent. */
public record NativeSamplingParams(
        @JsonProperty("max_new_tokens") Integer maxNewTokens,
        @JsonProperty("min_new_tokens") Integer minNewTokens,
        JsonNode stop,
        @JsonProperty("stop_token_ids") List<Integer> stopTokenIds,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        Integer n,
        @JsonProperty("logit_bias") Map<String, Float> logitBias,
        @JsonProperty("sampling_seed") Long samplingSeed,
        @JsonProperty("skip_special_tokens") Boolean skipSpecialTokens,
        @JsonProperty("spaces_between_special_tokens") Boolean spacesBetweenSpecialTokens,
        @JsonProperty("no_stop_trim") Boolean noStopTrim,
        String regex,
        @JsonProperty("json_schema") String jsonSchema,
        String ebnf) {}
