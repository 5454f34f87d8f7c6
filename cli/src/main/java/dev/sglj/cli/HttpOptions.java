package dev.sglj.cli;

import dev.sglj.server.ServerConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Level;
import picocli.CommandLine.Option;

/** The HTTP server's flags of {@code sglj serve}, SGLang's names and defaults where SGLang has them. */
public final class HttpOptions {
    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST, description = "Address to bind. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "" + ServerConfig.DEFAULT_PORT, description = "Port to listen on. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "Model id of the OpenAI API (/v1/models, the 'model' field). Default: the model path.")
    String servedModelName;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on every route but /health* and /metrics.")
    String apiKey;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "Jinja chat template file overriding the model's.")
    Path chatTemplate;

    @Option(names = "--enable-metrics", description = "Serve Prometheus metrics (sglang:* names) at /metrics.")
    boolean enableMetrics;

    @Option(names = "--max-queued-requests", paramLabel = "N",
            description = "Answer 503 with Retry-After while N requests are waiting. Default: no limit.")
    Integer maxQueuedRequests;

    @Option(names = "--max-request-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
            description = "Largest request body; larger ones get 413. Default: ${DEFAULT-VALUE}.")
    long maxRequestBytes;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "" + ServerConfig.DEFAULT_DRAIN_SECONDS,
            description = "On SIGTERM, how long in-flight requests may finish before they are aborted. Default: ${DEFAULT-VALUE}.")
    int drainSeconds;

    @Option(names = "--log-level", defaultValue = "info",
            description = "debug, info, warning or error. Default: ${DEFAULT-VALUE}.")
    String logLevel;

    public ServerConfig toServerConfig() {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, enableMetrics, maxQueuedRequests,
                maxRequestBytes, drainSeconds);
    }

    /** The java.util.logging level for {@code --log-level}. */
    Level level() {
        return switch (logLevel.toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warning", "warn" -> Level.WARNING;
            case "error", "critical" -> Level.SEVERE;
            default -> throw new IllegalArgumentException("--log-level must be debug, info, warning or error, got "
                    + logLevel);
        };
    }
}
