package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The three request/reply shapes a backend speaks: SGLang's native /generate, OpenAI completions, OpenAI chat. */
public sealed interface ApiShape {
    String path();

    ObjectNode payload(GenerationRequest request);

    /** One streamed event's JSON data. */
    Chunk parseEvent(JsonNode data);

    /** A whole non-streamed reply. */
    Chunk parseReply(JsonNode body);

    /** {@code POST /generate} with {@code text} and {@code sampling_params}; streamed text is cumulative. */
    record Native() implements ApiShape {
        @Override
        public String path() {
            return "/generate";
        }

        @Override
        public ObjectNode payload(GenerationRequest r) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("text", r.prompt());
            ObjectNode sampling = body.putObject("sampling_params");
            sampling.put("temperature", 0.0);
            sampling.put("max_new_tokens", r.maxTokens());
            if (r.ignoreEos() != null) {
                sampling.put("ignore_eos", r.ignoreEos());
            }
            if (!r.stop().isEmpty()) {
                ArrayNode stop = sampling.putArray("stop");
                r.stop().forEach(stop::add);
            }
            body.put("stream", r.stream());
            return merge(body, r.extraBody());
        }

        @Override
        public Chunk parseEvent(JsonNode data) {
            JsonNode meta = data.path("meta_info");
            return new Chunk(data.path("text").asText(""), intOr(meta, "completion_tokens"), intOr(meta, "prompt_tokens"));
        }

        @Override
        public Chunk parseReply(JsonNode body) {
            return parseEvent(body.isArray() ? body.path(0) : body);
        }
    }

    /** {@code POST /v1/completions}. */
    record Completions() implements ApiShape {
        @Override
        public String path() {
            return "/v1/completions";
        }

        @Override
        public ObjectNode payload(GenerationRequest r) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            if (r.model() != null) {
                body.put("model", r.model());
            }
            body.put("prompt", r.prompt());
            return openAiCommon(body, r);
        }

        @Override
        public Chunk parseEvent(JsonNode data) {
            return new Chunk(data.path("choices").path(0).path("text").asText(""),
                    intOr(data.path("usage"), "completion_tokens"), intOr(data.path("usage"), "prompt_tokens"));
        }

        @Override
        public Chunk parseReply(JsonNode body) {
            return parseEvent(body);
        }
    }

    /** {@code POST /v1/chat/completions} with the prompt as one user message. */
    record Chat() implements ApiShape {
        @Override
        public String path() {
            return "/v1/chat/completions";
        }

        @Override
        public ObjectNode payload(GenerationRequest r) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            if (r.model() != null) {
                body.put("model", r.model());
            }
            ObjectNode message = body.putArray("messages").addObject();
            message.put("role", "user");
            message.put("content", r.prompt());
            return openAiCommon(body, r);
        }

        @Override
        public Chunk parseEvent(JsonNode data) {
            return new Chunk(data.path("choices").path(0).path("delta").path("content").asText(""),
                    intOr(data.path("usage"), "completion_tokens"), intOr(data.path("usage"), "prompt_tokens"));
        }

        @Override
        public Chunk parseReply(JsonNode body) {
            return new Chunk(body.path("choices").path(0).path("message").path("content").asText(""),
                    intOr(body.path("usage"), "completion_tokens"), intOr(body.path("usage"), "prompt_tokens"));
        }
    }

    private static ObjectNode openAiCommon(ObjectNode body, GenerationRequest r) {
        body.put("temperature", 0.0);
        body.put("max_tokens", r.maxTokens());
        body.put("stream", r.stream());
        if (r.stream()) {
            // the final usage chunk gives token counts when no local tokenizer is given
            body.putObject("stream_options").put("include_usage", true);
        }
        if (r.ignoreEos() != null) {
            body.put("ignore_eos", r.ignoreEos());
        }
        if (!r.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            r.stop().forEach(stop::add);
        }
        return merge(body, r.extraBody());
    }

    private static ObjectNode merge(ObjectNode body, ObjectNode extra) {
        if (extra != null) {
            body.setAll(extra);
        }
        return body;
    }

    private static int intOr(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asInt() : -1;
    }
}
