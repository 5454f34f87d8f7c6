package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Chat logprobs: {@code {"content": [{token, bytes, logprob, top_logprobs: [{token, bytes, logprob}]}]}}. */
public record ChatLogprobs(List<Entry> content) {

    public record Entry(String token, List<Integer> bytes, float logprob,
                        @JsonProperty("top_logprobs") List<Top> topLogprobs) {}

    public record Top(String token, List<Integer> bytes, float logprob) {}
}
