package dev.sglj.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.api.AbortRequest;
import dev.sglj.api.GenerateReqInput;
import dev.sglj.api.NativeSamplingParams;
import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.sampling.SamplingParams;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** SGLang's native routes: {@code /generate}, health, model/server info, cache flush and aborts. */
final class NativeRoutes {
    private static final long HEALTH_GENERATE_TIMEOUT_SECONDS = 20;

    private final ServerContext ctx;

    NativeRoutes(ServerContext ctx) {
        this.ctx = ctx;
    }

    void register(HttpRouting.Builder r) {
        r.post("/generate", Http.route(this::generate));
        r.get("/health", Http.route((req, res) -> {
            if (ctx.gateway().draining()) throw ApiException.unavailable("the server is shutting down");
            res.send();
        }));
        r.get("/health_generate", Http.route(this::healthGenerate));
        r.get("/get_model_info", Http.route((req, res) -> Http.send(res, 200, modelInfo())));
        r.get("/get_server_info", Http.route((req, res) -> Http.send(res, 200, ServerInfo.of(ctx))));
        r.get("/flush_cache", Http.route(this::flushCache));
        r.post("/flush_cache", Http.route(this::flushCache));
        r.post("/abort_request", Http.route(this::abort));
    }

    private Map<String, Object> modelInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_path", ctx.modelPath());
        m.put("tokenizer_path", ctx.gateway().engine().args().tokenizerPath() != null
                ? ctx.gateway().engine().args().tokenizerPath().toString() : ctx.modelPath());
        m.put("is_generation", true);
        m.put("served_model_name", ctx.modelName());
        m.put("context_length", ctx.gateway().engine().contextLength());
        return m;
    }

    private void flushCache(ServerRequest req, ServerResponse res) {
        boolean ok = ctx.gateway().engine().flushCache();
        res.status(ok ? 200 : 400);
        res.send(ok ? "Cache flushed.\n" : "Cache not flushed: requests are running or waiting.\n");
    }

    private void abort(ServerRequest req, ServerResponse res) {
        AbortRequest a = Http.parse(Http.body(req, ctx.config().maxRequestBytes()), AbortRequest.class);
        if (Boolean.TRUE.equals(a.abortAll())) {
            ctx.gateway().abortAll();
        } else if (a.rid() != null) {
            ctx.gateway().abort(a.rid());
        } else {
            throw ApiException.badRequest("abort_request needs a rid or abort_all: true");
        }
        res.send();
    }

    private void healthGenerate(ServerRequest req, ServerResponse res) throws InterruptedException {
        if (ctx.gateway().draining()) throw ApiException.unavailable("the server is shutting down");
        SamplingParams params = SamplingParams.builder().maxNewTokens(1).temperature(0.0).build();
        List<RequestStream> streams = ctx.gateway().submit(List.of(new GenerateRequest(new int[] {0}, params,
                "HEALTH_CHECK_" + System.nanoTime())));
        try (Run run = new Run(ctx.gateway(), ctx.text(), streams, List.of(params), System.nanoTime())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEALTH_GENERATE_TIMEOUT_SECONDS);
            if (!run.awaitAll(deadline)) throw ApiException.unavailable("health check generation timed out");
            if (run.decoder(0).finish() instanceof FinishReason.Abort) {
                throw ApiException.unavailable("health check generation was aborted");
            }
        }
        res.send();
    }

    private void generate(ServerRequest req, ServerResponse res) throws InterruptedException {
        long start = System.nanoTime();
        GenerateReqInput in = Http.parse(Http.body(req, ctx.config().maxRequestBytes()), GenerateReqInput.class);
        Batch batch = batch(in);
        List<GenerateRequest> requests = new ArrayList<>();
        List<SamplingParams> perSample = new ArrayList<>();
        List<String> rids = new ArrayList<>();
        for (int i = 0; i < batch.prompts.size(); i++) {
            NativeSamplingParams sp = batch.params.get(i);
            SamplingParams.Builder b = SamplingMapper.fromNative(sp)
                    .returnLogprob(in.returnLogprob()).logprobStartLen(in.logprobStartLen())
                    .topLogprobsNum(in.topLogprobsNum());
            GenerateRequest r = PromptBudget.request(ctx.gateway().engine(), batch.prompts.get(i), b,
                    sp == null ? null : sp.maxNewTokens(), false, batch.rids.get(i));
            requests.add(r);
            for (int k = 0; k < r.params().n(); k++) {
                perSample.add(r.params());
                rids.add(r.rid());
            }
        }
        boolean listResponse = batch.isBatch || perSample.size() > 1;
        List<RequestStream> streams = ctx.gateway().submit(requests);
        for (int i = 0; i < streams.size(); i++) if (rids.get(i) == null) rids.set(i, streams.get(i).rid());
        boolean withText = Boolean.TRUE.equals(in.returnTextInLogprobs());
        try (Run run = new Run(ctx.gateway(), ctx.text(), streams, perSample, start)) {
            if (in.streaming()) {
                stream(res, run, rids, listResponse, withText);
            } else {
                run.awaitAll();
                List<Map<String, Object>> out = new ArrayList<>();
                for (int i = 0; i < run.size(); i++) out.add(result(run, i, rids.get(i), withText));
                Http.send(res, 200, listResponse ? out : out.getFirst());
            }
        }
    }

    private void stream(ServerResponse res, Run run, List<String> rids, boolean listResponse, boolean withText)
            throws InterruptedException {
        try (Sse sse = new Sse(res)) {
            Run.Event e;
            while ((e = run.next()) != null) {
                Map<String, Object> chunk = result(run, e.index(), rids.get(e.index()), withText);
                if (listResponse) chunk.put("index", e.index());
                if (!sse.json(chunk)) return;
            }
            sse.done();
        }
    }

    private Map<String, Object> result(Run run, int i, String rid, boolean withText) {
        ChoiceDecoder d = run.decoder(i);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("id", rid);
        meta.put("finish_reason", d.finish() == null ? null : finishReason(d.finish()));
        meta.put("prompt_tokens", d.promptTokens());
        meta.put("completion_tokens", d.completionTokens());
        meta.put("cached_tokens", d.cachedTokens());
        meta.put("e2e_latency", run.elapsedSeconds());
        SamplingParams p = run.params(i);
        if (p.returnLogprob()) {
            meta.put("input_token_logprobs", Logprobs.tokens(d.inputLogprobs(), ctx.text(), withText));
            meta.put("output_token_logprobs", Logprobs.tokens(d.logprobs(), ctx.text(), withText));
            if (p.topLogprobsNum() > 0) {
                meta.put("input_top_logprobs", Logprobs.tops(d.inputLogprobs(), ctx.text(), withText));
                meta.put("output_top_logprobs", Logprobs.tops(d.logprobs(), ctx.text(), withText));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (ctx.text().hasTokenizer()) out.put("text", d.text());
        out.put("output_ids", d.outputIds());
        out.put("meta_info", meta);
        return out;
    }

    static Map<String, Object> finishReason(FinishReason f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", f.type());
        switch (f) {
            case FinishReason.Stop s -> m.put("matched", s.matched());
            case FinishReason.Length l -> m.put("length", l.length());
            case FinishReason.Abort a -> m.put("message", a.message());
        }
        return m;
    }

    private record Batch(List<int[]> prompts, List<NativeSamplingParams> params, List<String> rids, boolean isBatch) {}

    private Batch batch(GenerateReqInput in) {
        boolean hasText = in.text() != null && !in.text().isNull();
        boolean hasIds = in.inputIds() != null && !in.inputIds().isNull();
        if (hasText == hasIds) throw ApiException.badRequest("Either text or input_ids should be provided.");
        List<int[]> prompts = new ArrayList<>();
        boolean isBatch;
        if (hasText) {
            isBatch = in.text().isArray();
            List<JsonNode> items = isBatch ? list(in.text()) : List.of(in.text());
            for (JsonNode t : items) {
                if (!t.isTextual()) throw ApiException.badParam("text", "text must be a string or a list of strings");
                prompts.add(ctx.text().encode(t.asText(), true));
            }
        } else {
            JsonNode ids = in.inputIds();
            if (!ids.isArray() || ids.isEmpty()) {
                throw ApiException.badParam("input_ids", "input_ids must be a non-empty list of token ids or of lists");
            }
            isBatch = ids.get(0).isArray();
            for (JsonNode item : isBatch ? list(ids) : List.of(ids)) prompts.add(tokenIds(item, "input_ids"));
        }
        if (prompts.isEmpty()) throw ApiException.badRequest("the batch is empty");
        return new Batch(prompts, perItem(in.samplingParams(), prompts.size()), rids(in.rid(), prompts.size()), isBatch);
    }

    private static List<NativeSamplingParams> perItem(JsonNode node, int n) {
        List<NativeSamplingParams> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            for (int i = 0; i < n; i++) out.add(null);
        } else if (node.isArray()) {
            if (node.size() != n) {
                throw ApiException.badParam("sampling_params", "sampling_params has " + node.size()
                        + " entries for a batch of " + n);
            }
            for (JsonNode p : node) out.add(Http.convert(p, NativeSamplingParams.class, "sampling_params"));
        } else {
            NativeSamplingParams p = Http.convert(node, NativeSamplingParams.class, "sampling_params");
            for (int i = 0; i < n; i++) out.add(p);
        }
        return out;
    }

    private static List<String> rids(JsonNode node, int n) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            for (int i = 0; i < n; i++) out.add(null);
        } else if (node.isTextual() && n == 1) {
            out.add(node.asText());
        } else if (node.isArray() && node.size() == n) {
            for (JsonNode r : node) out.add(r.asText());
        } else {
            throw ApiException.badParam("rid", "rid must be a string, or a list with one per batch item");
        }
        return out;
    }

    static int[] tokenIds(JsonNode item, String field) {
        if (!item.isArray() || item.isEmpty()) {
            throw ApiException.badParam(field, field + " must be a non-empty list of token ids");
        }
        int[] ids = new int[item.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = item.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw ApiException.badParam(field, field + " must hold integer token ids, got " + v);
            }
            ids[i] = v.asInt();
        }
        return ids;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
