package dev.sglj.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.api.CompletionRequest;
import dev.sglj.api.CompletionResponse;
import dev.sglj.api.FinishInfo;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sampling.TopLogprob;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/completions}: string or token prompts (single or a batch), streamed or not. */
final class CompletionRoute {
    /** OpenAI's (and SGLang's) default {@code max_tokens} for legacy completions. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final ServerContext ctx;
    private final OpenAiSupport support;

    CompletionRoute(ServerContext ctx, OpenAiSupport support) {
        this.ctx = ctx;
        this.support = support;
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/completions", Http.route(this::handle));
    }

    private void handle(ServerRequest req, ServerResponse res) throws InterruptedException {
        long start = System.nanoTime();
        CompletionRequest in = Http.parse(Http.body(req, ctx.config().maxRequestBytes()), CompletionRequest.class);
        ctx.checkModel(in.model());
        OpenAiSupport.rejectUnsupported(in.responseFormat(), null);
        if (in.suffix() != null && !in.suffix().isEmpty()) {
            throw ApiException.badParam("suffix", "suffix is not supported by this server");
        }
        if (Boolean.TRUE.equals(in.echo())) throw ApiException.badParam("echo", "echo is not supported by this server");
        int n = in.n() == null ? 1 : in.n();
        if (in.bestOf() != null && in.bestOf() != n) {
            throw ApiException.badParam("best_of", "best_of other than n is not supported by this server");
        }
        if (in.logprobs() != null && in.logprobs() < 0) {
            throw ApiException.badParam("logprobs", "logprobs must be at least 0, got " + in.logprobs());
        }
        List<int[]> prompts = prompts(in.prompt());
        int maxTokens = in.maxTokens() == null ? DEFAULT_MAX_TOKENS : in.maxTokens();
        boolean logprobs = in.logprobs() != null;
        try (Run run = support.submit(prompts, () -> SamplingMapper.fromOpenAi(in).returnLogprob(logprobs)
                .topLogprobsNum(logprobs ? in.logprobs() : null), maxTokens, false, in.rid(), start)) {
            String id = OpenAiSupport.id("cmpl-");
            long created = OpenAiSupport.now();
            String model = ctx.modelName();
            if (in.streaming()) {
                try (Sse sse = new Sse(res)) {
                    int[] offsets = new int[run.size()];
                    Run.Event e;
                    while ((e = run.next()) != null) {
                        ChoiceDecoder.Delta d = e.delta();
                        if (d.text().isEmpty() && d.finish() == null && !logprobs) continue;
                        FinishInfo f = OpenAiSupport.finish(d.finish());
                        var choice = new CompletionResponse.Choice(e.index(), d.text(),
                                logprobs ? legacy(d.logprobs(), offsets, e.index()) : null, f.reason(), f.matchedStop());
                        if (!sse.json(new CompletionResponse(id, "text_completion", created, model, List.of(choice),
                                null))) {
                            return;
                        }
                    }
                    boolean usage = in.streamOptions() != null && in.streamOptions().usage();
                    if (usage && !sse.json(new CompletionResponse(id, "text_completion", created, model, List.of(),
                            OpenAiSupport.usage(run, n)))) {
                        return;
                    }
                    sse.done();
                }
                return;
            }
            run.awaitAll();
            List<CompletionResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < run.size(); i++) {
                ChoiceDecoder d = run.decoder(i);
                FinishInfo f = OpenAiSupport.finish(d.finish());
                choices.add(new CompletionResponse.Choice(i, d.text(),
                        logprobs ? legacy(d.logprobs(), new int[1], 0) : null, f.reason(), f.matchedStop()));
            }
            Http.send(res, 200, new CompletionResponse(id, "text_completion", created, model, choices,
                    OpenAiSupport.usage(run, n)));
        }
    }

    /** The legacy format; {@code offsets[slot]} carries the text offset across streamed chunks. */
    private CompletionResponse.Logprobs legacy(List<TokenLogprob> tokens, int[] offsets, int slot) {
        List<Integer> textOffset = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Map<String, Float>> tops = new ArrayList<>();
        for (TokenLogprob t : tokens) {
            String text = ctx.text().tokenText(t.tokenId());
            textOffset.add(offsets[slot]);
            offsets[slot] += text.length();
            logprobs.add(t.logprob());
            texts.add(text);
            Map<String, Float> top = new LinkedHashMap<>();
            for (TopLogprob alt : t.top()) top.putIfAbsent(ctx.text().tokenText(alt.tokenId()), alt.logprob());
            tops.add(top);
        }
        return new CompletionResponse.Logprobs(textOffset, logprobs, texts, tops);
    }

    /** A string, a list of strings, a list of token ids, or a list of such lists. */
    private List<int[]> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) throw ApiException.badParam("prompt", "prompt is required");
        List<int[]> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(ctx.text().encode(prompt.asText(), true));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isIntegralNumber()) {
                out.add(NativeRoutes.tokenIds(prompt, "prompt"));
            } else {
                for (JsonNode item : prompt) {
                    if (item.isTextual()) out.add(ctx.text().encode(item.asText(), true));
                    else if (item.isArray()) out.add(NativeRoutes.tokenIds(item, "prompt"));
                    else throw ApiException.badParam("prompt", "prompt items must be strings or lists of token ids");
                }
            }
        } else {
            throw ApiException.badParam("prompt", "prompt must be a string, a list of strings, a list of token ids"
                    + " or a list of such lists");
        }
        return out;
    }
}
