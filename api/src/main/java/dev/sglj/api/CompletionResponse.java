package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The body of a non-streamed completion, and (with {@code object = "text_completion"} too) each streamed chunk. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionResponse(String id, String object, long created, String model, List<Choice> choices,
                                 Usage usage) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, String text, Logprobs logprobs,
                         @JsonProperty("finish_reason") String finishReason,
                         @JsonProperty("matched_stop") Object matchedStop) {}

    /** The legacy logprobs format: parallel lists, {@code top_logprobs} one map per token. */
    public record Logprobs(@JsonProperty("text_offset") List<Integer> textOffset,
                           @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
                           List<String> tokens,
                           @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs) {}
}
