package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.compute.Devices;
import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.sched.SchedulerStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /get_server_info}: the effective server arguments (SGLang's names), internal state and version. */
final class ServerInfo {
    private ServerInfo() {
    }

    static Map<String, Object> of(ServerContext ctx) {
        Engine engine = ctx.gateway().engine();
        Map<String, Object> m = new LinkedHashMap<>(settings(ctx));
        SchedulerStats s = engine.stats();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("max_total_num_tokens", engine.maxTotalTokens());
        state.put("max_running_requests", engine.maxRunningRequests());
        state.put("num_running_reqs", s.runningRequests());
        state.put("num_queue_reqs", s.queuedRequests());
        state.put("num_used_tokens", s.usedTokens());
        state.put("token_usage", s.tokenUsage());
        state.put("cache_hit_rate", s.cacheHitRate());
        m.put("internal_states", List.of(state));
        m.put("version", version());
        return m;
    }

    /** The effective settings by SGLang flag name (underscored), for the banner and {@code /get_server_info}. */
    static Map<String, Object> settings(ServerContext ctx) {
        Engine engine = ctx.gateway().engine();
        ServerArgs a = engine.args();
        ServerConfig c = ctx.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_path", ctx.modelPath());
        m.put("tokenizer_path", a.tokenizerPath() == null ? ctx.modelPath() : a.tokenizerPath().toString());
        m.put("served_model_name", ctx.modelName());
        m.put("host", c.host());
        m.put("port", ctx.boundPort().get());
        m.put("api_key", c.apiKey() == null ? null : "<set>");
        m.put("chat_template", c.chatTemplate() == null ? null : c.chatTemplate().toString());
        m.put("load_format", a.loadFormat().toString().toLowerCase(java.util.Locale.ROOT));
        m.put("device", a.device());
        m.put("dtype", Devices.effectiveDtype(a.device(), a.dtype()));
        m.put("context_length", engine.contextLength());
        m.put("max_total_tokens", engine.maxTotalTokens());
        m.put("mem_fraction_static", a.memFractionStatic());
        m.put("max_running_requests", engine.maxRunningRequests());
        m.put("max_prefill_tokens", a.maxPrefillTokens());
        m.put("chunked_prefill_size", engine.chunkedPrefillSize());
        m.put("schedule_policy", a.schedulePolicy().toString().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("schedule_conservativeness", a.scheduleConservativeness());
        m.put("disable_radix_cache", a.disableRadixCache());
        m.put("enable_mixed_chunk", a.enableMixedChunk());
        m.put("disable_overlap_schedule", a.disableOverlapSchedule());
        m.put("stream_interval", a.streamInterval());
        m.put("decode_log_interval", a.decodeLogInterval());
        m.put("random_seed", a.randomSeed());
        m.put("enable_metrics", c.enableMetrics());
        m.put("max_queued_requests", c.maxQueuedRequests());
        m.put("max_request_bytes", c.maxRequestBytes());
        return m;
    }

    static String version() {
        String v = ServerInfo.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
