package dev.sglj.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.api.FinishInfo;
import dev.sglj.api.ModelList;
import dev.sglj.api.Usage;
import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.sampling.SamplingParams;
import io.helidon.webserver.http.HttpRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** What the OpenAI-compatible routes share: ids, finish reasons, usage, submission, {@code /v1/models}. */
final class OpenAiSupport {
    private final ServerContext ctx;
    private final long startedAt = System.currentTimeMillis() / 1000;

    OpenAiSupport(ServerContext ctx) {
        this.ctx = ctx;
    }

    void registerModels(HttpRouting.Builder r) {
        r.get("/v1/models", Http.route((req, res) -> Http.send(res, 200, ModelList.of(card()))));
        r.get("/v1/models/{id}", Http.route((req, res) -> {
            String id = req.path().pathParameters().get("id");
            if (!id.equals(ctx.modelName())) throw ApiException.notFound("The model '" + id + "' does not exist");
            Http.send(res, 200, card());
        }));
    }

    private ModelList.ModelCard card() {
        return new ModelList.ModelCard(ctx.modelName(), "model", startedAt, "sglang", ctx.modelName(),
                ctx.gateway().engine().contextLength());
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static FinishInfo finish(FinishReason f) {
        if (f == null) return new FinishInfo(null, null);
        return switch (f) {
            case FinishReason.Stop s -> new FinishInfo("stop", s.matched());
            case FinishReason.Length l -> new FinishInfo("length", null);
            case FinishReason.Abort a -> new FinishInfo("abort", null);
        };
    }

    /** Prompt tokens and cached tokens counted once per prompt, completion tokens for every sample. */
    static Usage usage(Run run, int n) {
        int prompt = 0;
        int completion = 0;
        int cached = 0;
        for (int i = 0; i < run.size(); i++) {
            ChoiceDecoder d = run.decoder(i);
            completion += d.completionTokens();
            if (i % n == 0) {
                prompt += d.promptTokens();
                cached += d.cachedTokens();
            }
        }
        return Usage.of(prompt, completion, cached);
    }

    /** Rejects {@code response_format} other than text and any {@code tools}, which this server cannot honour yet. */
    static void rejectUnsupported(JsonNode responseFormat, JsonNode tools) {
        if (responseFormat != null && !responseFormat.isNull()) {
            JsonNode type = responseFormat.get("type");
            if (type == null || !"text".equals(type.asText())) {
                throw ApiException.badParam("response_format", "response_format "
                        + (type == null ? responseFormat : type.asText())
                        + " (structured output) is not supported by this server yet");
            }
        }
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty())) {
            throw ApiException.badParam("tools", "tools (function calling) are not supported by this server yet");
        }
    }

    /** Builds one engine request per prompt (a fresh builder each) and submits them; samples are prompt-major. */
    Run submit(List<int[]> prompts, Supplier<SamplingParams.Builder> sampling, Integer maxTokens, boolean untilContext,
               String rid, long start) {
        List<GenerateRequest> requests = new ArrayList<>();
        List<SamplingParams> perSample = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            SamplingParams.Builder b = sampling.get();
            String r = rid == null ? null : prompts.size() == 1 ? rid : rid + "_" + i;
            GenerateRequest req = PromptBudget.request(ctx.gateway().engine(), prompts.get(i), b, maxTokens,
                    untilContext, r);
            requests.add(req);
            for (int k = 0; k < req.params().n(); k++) perSample.add(req.params());
        }
        List<RequestStream> streams = ctx.gateway().submit(requests);
        return new Run(ctx.gateway(), ctx.text(), streams, perSample, start);
    }
}
