package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.RequestStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's door to the engine: admission (draining, waiting-queue limit), the registry of live
 * requests by rid (for {@code /abort_request}), and the count of unfinished samples (for draining).
 */
final class EngineGateway {
    static final int RETRY_AFTER_SECONDS = 1;

    private final Engine engine;
    private final Integer maxQueuedRequests;
    private final ServerMetrics metrics;
    private final Map<String, List<RequestStream>> live = new ConcurrentHashMap<>();
    private final Map<RequestStream, String> ridOf = new ConcurrentHashMap<>();
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile boolean draining;

    EngineGateway(Engine engine, Integer maxQueuedRequests, ServerMetrics metrics) {
        this.engine = engine;
        this.maxQueuedRequests = maxQueuedRequests;
        this.metrics = metrics;
    }

    Engine engine() {
        return engine;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Submits the requests of one HTTP call; their streams in order ({@code n} per request).
     *
     * @throws ApiException 503 while draining or when the waiting queue is over its limit; 400 when the engine
     *                      rejects a request
     */
    List<RequestStream> submit(List<GenerateRequest> requests) {
        if (draining) throw ApiException.unavailable("the server is shutting down");
        if (maxQueuedRequests != null) {
            int waiting = unfinished.get() - engine.stats().runningRequests();
            if (waiting >= maxQueuedRequests) {
                throw ApiException.unavailable("the waiting queue is full (" + waiting + " requests, limit "
                        + maxQueuedRequests + "); retry later");
            }
        }
        List<RequestStream> streams = new ArrayList<>();
        try {
            for (GenerateRequest r : requests) {
                int n = r.params().n();
                unfinished.addAndGet(n);
                List<RequestStream> some;
                try {
                    some = engine.submit(r);
                } catch (RuntimeException e) {
                    unfinished.addAndGet(-n);
                    throw e;
                }
                String rid = r.rid() != null ? r.rid() : some.getFirst().rid();
                live.merge(rid, some, (a, b) -> {
                    List<RequestStream> all = new ArrayList<>(a);
                    all.addAll(b);
                    return all;
                });
                some.forEach(s -> ridOf.put(s, rid));
                streams.addAll(some);
            }
        } catch (IllegalArgumentException e) {
            streams.forEach(this::abandon);
            throw ApiException.badRequest(e.getMessage());
        } catch (RuntimeException e) {
            streams.forEach(this::abandon);
            throw e;
        }
        return streams;
    }

    /** A stream reached its final output. */
    void finished(RequestStream stream) {
        unfinished.decrementAndGet();
        forget(stream);
    }

    /** A stream whose consumer went away before its final output: abort it, the engine frees its slots. */
    void abandon(RequestStream stream) {
        stream.abort();
        finished(stream);
    }

    private void forget(RequestStream stream) {
        String rid = ridOf.remove(stream);
        if (rid == null) return;
        live.computeIfPresent(rid, (k, streams) -> {
            List<RequestStream> rest = new ArrayList<>(streams);
            rest.remove(stream);
            return rest.isEmpty() ? null : rest;
        });
    }

    /** Aborts the request named {@code rid} (all its samples); false when none is live. */
    boolean abort(String rid) {
        List<RequestStream> streams = live.get(rid);
        if (streams == null) {
            engine.abort(rid);
            return false;
        }
        streams.forEach(RequestStream::abort);
        return true;
    }

    void abortAll() {
        engine.abortAll();
    }

    int unfinished() {
        return unfinished.get();
    }

    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }
}
