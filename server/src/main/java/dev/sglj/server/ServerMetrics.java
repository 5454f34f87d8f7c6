package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.sched.SchedulerStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToDoubleFunction;

/**
 * SGLang's Prometheus metrics ({@code sglang:} names, label {@code model_name}): scheduler gauges and
 * counters read from {@link SchedulerStats} at scrape time, latency histograms fed by the server.
 */
final class ServerMetrics {
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
        1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0};
    private static final double[] ITL_BUCKETS = {0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035,
        0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 2.0, 4.0, 6.0, 8.0};
    private static final double[] E2E_BUCKETS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300,
        350, 500, 1000};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final String model;
    private final Histogram ttft;
    private final Histogram itl;
    private final Histogram e2e;
    private final Counter requests;
    private final Engine engine;
    private long lastGenerated;
    private long lastNanos = System.nanoTime();
    private double lastThroughput;

    ServerMetrics(Engine engine, String model) {
        this.engine = engine;
        this.model = model;
        gauge("sglang:num_running_reqs", "The number of running requests.", SchedulerStats::runningRequests);
        gauge("sglang:num_used_tokens", "The number of used KV cache tokens.", SchedulerStats::usedTokens);
        gauge("sglang:token_usage", "The token usage of the KV cache.", SchedulerStats::tokenUsage);
        gauge("sglang:num_queue_reqs", "The number of requests in the waiting queue.", SchedulerStats::queuedRequests);
        gauge("sglang:cache_hit_rate", "The prefix cache hit rate.", SchedulerStats::cacheHitRate);
        gauge("sglang:max_total_num_tokens", "The KV cache pool size in tokens.", s -> engine.maxTotalTokens());
        gauge("sglang:gen_throughput", "The generation throughput (token/s).", s -> genThroughput(s));
        counter("sglang:prompt_tokens", "Number of prefill tokens processed.", SchedulerStats::promptTokens);
        counter("sglang:generation_tokens", "Number of generation tokens processed.", SchedulerStats::generatedTokens);
        counter("sglang:cached_tokens", "Number of cached prompt tokens.", SchedulerStats::cachedTokens);
        counter("sglang:num_aborted_requests", "Number of requests aborted.", SchedulerStats::abortedRequests);
        requests = Counter.builder().name("sglang:num_requests").help("Number of requests processed.")
                .labelNames("model_name").register(registry);
        ttft = histogram("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                TTFT_BUCKETS);
        itl = histogram("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                ITL_BUCKETS);
        e2e = histogram("sglang:e2e_request_latency_seconds", "Histogram of end-to-end request latency in seconds.",
                E2E_BUCKETS);
        requests.labelValues(model);
    }

    private void gauge(String name, String help, ToDoubleFunction<SchedulerStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model_name")
                .callback(cb -> cb.call(value.applyAsDouble(engine.stats()), model)).register(registry);
    }

    private void counter(String name, String help, ToDoubleFunction<SchedulerStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("model_name")
                .callback(cb -> cb.call(value.applyAsDouble(engine.stats()), model)).register(registry);
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).labelNames("model_name").classicOnly()
                .classicUpperBounds(buckets).register(registry);
    }

    private synchronized double genThroughput(SchedulerStats s) {
        long now = System.nanoTime();
        long generated = s.generatedTokens();
        double seconds = (now - lastNanos) / 1e9;
        if (seconds >= 1) {
            lastThroughput = (generated - lastGenerated) / seconds;
            lastGenerated = generated;
            lastNanos = now;
        }
        return lastThroughput;
    }

    void firstToken(double seconds) {
        ttft.labelValues(model).observe(seconds);
    }

    void interToken(double seconds) {
        itl.labelValues(model).observe(seconds);
    }

    void finished(double seconds) {
        e2e.labelValues(model).observe(seconds);
        requests.labelValues(model).inc();
    }

    /** The text exposition format (version 0.0.4). */
    byte[] scrape() {
        var out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
