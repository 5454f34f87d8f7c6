package dev.sglj.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.api.ChatCompletionChunk;
import dev.sglj.api.ChatCompletionRequest;
import dev.sglj.api.ChatCompletionResponse;
import dev.sglj.api.ChatLogprobs;
import dev.sglj.api.FinishInfo;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.TopLogprob;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/chat/completions}: the conversation through the model's chat template, streamed or not. */
final class ChatRoute {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final ServerContext ctx;
    private final OpenAiSupport support;

    ChatRoute(ServerContext ctx, OpenAiSupport support) {
        this.ctx = ctx;
        this.support = support;
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/chat/completions", Http.route(this::handle));
    }

    private void handle(ServerRequest req, ServerResponse res) throws InterruptedException {
        long start = System.nanoTime();
        ChatCompletionRequest in = Http.parse(Http.body(req, ctx.config().maxRequestBytes()),
                ChatCompletionRequest.class);
        ctx.checkModel(in.model());
        OpenAiSupport.rejectUnsupported(in.responseFormat(), in.tools());
        boolean logprobs = Boolean.TRUE.equals(in.logprobs());
        if (in.topLogprobs() != null && (in.topLogprobs() < 0 || !logprobs)) {
            throw ApiException.badParam("top_logprobs", in.topLogprobs() < 0 ? "top_logprobs must be at least 0"
                    : "top_logprobs needs logprobs: true");
        }
        String prompt = ctx.text().renderChat(messages(in.messages()), null, true,
                in.chatTemplateKwargs() == null ? Map.of() : in.chatTemplateKwargs());
        int[] ids = ctx.text().encode(prompt, false);
        Integer maxTokens = in.maxCompletionTokens() != null ? in.maxCompletionTokens() : in.maxTokens();
        int n = in.n() == null ? 1 : in.n();
        try (Run run = support.submit(List.of(ids), () -> SamplingMapper.fromOpenAi(in).returnLogprob(logprobs)
                .topLogprobsNum(logprobs ? in.topLogprobs() : null), maxTokens, true, in.rid(), start)) {
            String id = OpenAiSupport.id("chatcmpl-");
            long created = OpenAiSupport.now();
            if (in.streaming()) {
                stream(res, in, run, id, created, logprobs, n);
                return;
            }
            run.awaitAll();
            List<ChatCompletionResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < run.size(); i++) {
                ChoiceDecoder d = run.decoder(i);
                FinishInfo f = OpenAiSupport.finish(d.finish());
                choices.add(new ChatCompletionResponse.Choice(i, new ChatCompletionResponse.Message("assistant",
                        d.text()), logprobs ? chatLogprobs(d.logprobs()) : null, f.reason(), f.matchedStop()));
            }
            Http.send(res, 200, new ChatCompletionResponse(id, "chat.completion", created, ctx.modelName(), choices,
                    OpenAiSupport.usage(run, n)));
        }
    }

    private void stream(ServerResponse res, ChatCompletionRequest in, Run run, String id, long created,
                        boolean logprobs, int n) throws InterruptedException {
        String model = ctx.modelName();
        try (Sse sse = new Sse(res)) {
            for (int i = 0; i < run.size(); i++) {
                var first = new ChatCompletionChunk.Choice(i, new ChatCompletionChunk.Delta("assistant", ""), null,
                        null, null);
                if (!sse.json(new ChatCompletionChunk(id, "chat.completion.chunk", created, model, List.of(first),
                        null))) {
                    return;
                }
            }
            Run.Event e;
            while ((e = run.next()) != null) {
                ChoiceDecoder.Delta d = e.delta();
                if (!d.text().isEmpty() || (logprobs && d.logprobs().size() > 0)) {
                    var choice = new ChatCompletionChunk.Choice(e.index(), new ChatCompletionChunk.Delta(null,
                            d.text()), logprobs ? chatLogprobs(d.logprobs()) : null, null, null);
                    if (!sse.json(new ChatCompletionChunk(id, "chat.completion.chunk", created, model,
                            List.of(choice), null))) {
                        return;
                    }
                }
                if (d.finish() != null) {
                    FinishInfo f = OpenAiSupport.finish(d.finish());
                    var last = new ChatCompletionChunk.Choice(e.index(), new ChatCompletionChunk.Delta(null, null),
                            null, f.reason(), f.matchedStop());
                    if (!sse.json(new ChatCompletionChunk(id, "chat.completion.chunk", created, model,
                            List.of(last), null))) {
                        return;
                    }
                }
            }
            boolean usage = in.streamOptions() != null && in.streamOptions().usage();
            if (usage && !sse.json(new ChatCompletionChunk(id, "chat.completion.chunk", created, model, List.of(),
                    OpenAiSupport.usage(run, n)))) {
                return;
            }
            sse.done();
        }
    }

    private ChatLogprobs chatLogprobs(List<TokenLogprob> tokens) {
        List<ChatLogprobs.Entry> content = new ArrayList<>();
        for (TokenLogprob t : tokens) {
            List<ChatLogprobs.Top> tops = new ArrayList<>();
            for (TopLogprob alt : t.top()) {
                String text = ctx.text().tokenText(alt.tokenId());
                tops.add(new ChatLogprobs.Top(text, bytes(text), alt.logprob()));
            }
            String text = ctx.text().tokenText(t.tokenId());
            content.add(new ChatLogprobs.Entry(text, bytes(text), t.logprob(), tops));
        }
        return new ChatLogprobs(content);
    }

    private static List<Integer> bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) out.add(x & 0xff);
        return out;
    }

    /**
     * Messages as the template sees them: text parts joined into one string, a null content (an assistant
     * turn with tool calls) as "" since common templates fail on None.
     */
    private static List<Map<String, Object>> messages(List<JsonNode> raw) {
        if (raw == null || raw.isEmpty()) throw ApiException.badParam("messages", "messages must be a non-empty list");
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            JsonNode m = raw.get(i);
            String at = "messages[" + i + "]";
            if (m == null || !m.isObject()) throw ApiException.badParam(at, at + " must be an object");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw ApiException.badParam(at + ".role", at + ".role must be a string");
            Map<String, Object> msg = new LinkedHashMap<>(Http.JSON.convertValue(m, MAP));
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                msg.put("content", "");
            } else if (content.isArray()) {
                StringBuilder text = new StringBuilder();
                for (JsonNode part : content) {
                    JsonNode type = part.get("type");
                    if (type == null || !"text".equals(type.asText()) || part.get("text") == null) {
                        throw ApiException.badParam(at + ".content", "only text content parts are supported, got "
                                + (type == null ? part : type.asText()));
                    }
                    if (!text.isEmpty()) text.append('\n');
                    text.append(part.get("text").asText());
                }
                msg.put("content", text.toString());
            } else if (!content.isTextual()) {
                throw ApiException.badParam(at + ".content", at + ".content must be a string or a list of parts");
            }
            out.add(msg);
        }
        return out;
    }
}
