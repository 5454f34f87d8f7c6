package dev.sglj.server;

import java.nio.file.Path;

/**
 * HTTP settings of {@code sglj serve} (the engine's are in {@code ServerArgs}).
 *
 * @param servedModelName   the model id clients send and {@code /v1/models} lists; null: the model path
 * @param apiKey            when set, every route but {@code /health*} and {@code /metrics} needs
 *                          {@code Authorization: Bearer <key>}
 * @param chatTemplate      a Jinja file overriding the model's chat template
 * @param maxQueuedRequests waiting requests above which new ones get 503; null: no limit
 * @param maxRequestBytes   largest request body; larger ones get 413
 * @param drainSeconds      on shutdown, how long in-flight requests may finish before they are aborted
 */
public record ServerConfig(String host, int port, String servedModelName, String apiKey, Path chatTemplate,
                           boolean enableMetrics, Integer maxQueuedRequests, long maxRequestBytes, int drainSeconds) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 30000;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
    public static final int DEFAULT_DRAIN_SECONDS = 30;

    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        if (maxQueuedRequests != null && maxQueuedRequests < 0) {
            throw new IllegalArgumentException("--max-queued-requests must be at least 0, got " + maxQueuedRequests);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("--max-request-bytes must be positive, got " + maxRequestBytes);
        }
        if (drainSeconds < 0) throw new IllegalArgumentException("--drain-timeout must be at least 0, got " + drainSeconds);
    }

    /** Defaults on the given port (0: any free port). */
    public static ServerConfig onPort(int port) {
        return new ServerConfig(DEFAULT_HOST, port, null, null, null, false, null, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_DRAIN_SECONDS);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, servedModelName, key, chatTemplate, enableMetrics, maxQueuedRequests,
                maxRequestBytes, drainSeconds);
    }

    public ServerConfig withMetrics(boolean on) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, on, maxQueuedRequests,
                maxRequestBytes, drainSeconds);
    }

    public ServerConfig withMaxQueuedRequests(Integer limit) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, enableMetrics, limit,
                maxRequestBytes, drainSeconds);
    }

    public ServerConfig withMaxRequestBytes(long limit) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, enableMetrics, maxQueuedRequests,
                limit, drainSeconds);
    }

    public ServerConfig withChatTemplate(Path file) {
        return new ServerConfig(host, port, servedModelName, apiKey, file, enableMetrics, maxQueuedRequests,
                maxRequestBytes, drainSeconds);
    }
}
