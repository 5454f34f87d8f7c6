package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * SGLang's native {@code POST /generate}. {@code text} is a string or a list (a batch); {@code input_ids}
 * a list of ids or a list of lists; exactly one of them. {@code sampling_params} is an object (or one per
 * batch item) with SGLang's sampling names; {@code rid} a string or one per item.
 */
public record GenerateReqInput(
        JsonNode text,
        @JsonProperty("input_ids") JsonNode inputIds,
        @JsonProperty("sampling_params") JsonNode samplingParams,
        JsonNode rid,
        Boolean stream,
        @JsonProperty("return_logprob") Boolean returnLogprob,
        @JsonProperty("logprob_start_len") Integer logprobStartLen,
        @JsonProperty("top_logprobs_num") Integer topLogprobsNum,
        @JsonProperty("return_text_in_logprobs") Boolean returnTextInLogprobs) {

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }
}
