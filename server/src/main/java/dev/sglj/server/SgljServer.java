package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.model.BuiltinModel;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP server around one engine. {@link #start} binds and serves; {@link #shutdown} drains: new
 * requests get 503, in-flight ones may finish for {@code drainSeconds}, the rest are aborted, then the
 * listener and the engine close.
 */
public final class SgljServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SgljServer.class.getName());
    private static final System.Logger ACCESS = System.getLogger("dev.sglj.server.access");

    private final ServerContext ctx;
    private final WebServer web;
    private final Engine engine;

    private SgljServer(ServerContext ctx, WebServer web, Engine engine) {
        this.ctx = ctx;
        this.web = web;
        this.engine = engine;
    }

    /** Serves {@code engine} (the server owns it from here on and closes it). */
    public static SgljServer start(Engine engine, ServerConfig config) {
        var args = engine.args();
        TextLayer text = TextLayer.of(engine, config.chatTemplate());
        String modelPath = args.modelPath() == null ? BuiltinModel.NAME : args.modelPath().toString();
        String name = config.servedModelName() != null ? config.servedModelName() : modelPath;
        ServerMetrics metrics = new ServerMetrics(engine, name);
        EngineGateway gateway = new EngineGateway(engine, config.maxQueuedRequests(), metrics);
        var boundPort = new AtomicInteger(config.port());
        var ctx = new ServerContext(config, gateway, text, name, modelPath, boundPort);
        WebServer web = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .routing(r -> routes(r, ctx, metrics))
                .build()
                .start();
        boundPort.set(web.port());
        return new SgljServer(ctx, web, engine);
    }

    private static void routes(HttpRouting.Builder r, ServerContext ctx, ServerMetrics metrics) {
        r.addFilter((chain, req, res) -> {
            long start = System.nanoTime();
            try {
                chain.proceed();
            } finally {
                ACCESS.log(System.Logger.Level.INFO, () -> String.format("%s - \"%s %s %s\" %d %.1fms",
                        req.remotePeer().address(), req.prologue().method().text(), req.prologue().uriPath().rawPath(),
                        req.prologue().protocol() + "/" + req.prologue().protocolVersion(), res.status().code(),
                        (System.nanoTime() - start) / 1e6));
            }
        });
        if (ctx.config().apiKey() != null) {
            String expected = "Bearer " + ctx.config().apiKey();
            r.addFilter((chain, req, res) -> {
                String path = req.path().path();
                boolean open = path.startsWith("/health") || path.startsWith("/metrics");
                String got = req.headers().value(HeaderNames.AUTHORIZATION).orElse(null);
                if (open || expected.equals(got)) {
                    chain.proceed();
                } else {
                    Http.error(res, new ApiException(401, "authentication_error", null, "invalid_api_key",
                            got == null ? "missing API key: send Authorization: Bearer <key>" : "invalid API key"));
                }
            });
        }
        new NativeRoutes(ctx).register(r);
        OpenAiSupport support = new OpenAiSupport(ctx);
        support.registerModels(r);
        new CompletionRoute(ctx, support).register(r);
        new ChatRoute(ctx, support).register(r);
        if (ctx.config().enableMetrics()) {
            r.get("/metrics", (req, res) -> {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                res.send(metrics.scrape());
            });
        }
        r.any((req, res) -> Http.error(res, ApiException.notFound("no route for " + req.prologue().method().text()
                + " " + req.path().path())));
    }

    public int port() {
        return web.port();
    }

    public Engine engine() {
        return engine;
    }

    /** The effective settings by SGLang's names, for the startup banner. */
    public Map<String, Object> settings() {
        return ServerInfo.settings(ctx);
    }

    /** Requests submitted to the engine that have not finished. */
    public int inFlight() {
        return ctx.gateway().unfinished();
    }

    /** Stops taking requests: new ones (and {@code /health}) get 503 from now on. */
    public void beginDrain() {
        ctx.gateway().startDraining();
    }

    /** Stops taking requests, lets in-flight ones finish for up to {@code drainSeconds}, aborts the rest, stops. */
    public void shutdown() {
        EngineGateway gateway = ctx.gateway();
        gateway.startDraining();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ctx.config().drainSeconds());
        if (gateway.unfinished() > 0) {
            LOG.log(System.Logger.Level.INFO, "draining " + gateway.unfinished() + " in-flight requests");
        }
        while (gateway.unfinished() > 0 && System.nanoTime() < deadline) pause();
        if (gateway.unfinished() > 0) {
            LOG.log(System.Logger.Level.WARNING, "aborting " + gateway.unfinished() + " requests still running");
            gateway.abortAll();
            long abortDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gateway.unfinished() > 0 && System.nanoTime() < abortDeadline) pause();
        }
        web.stop();
        engine.close();
    }

    private static void pause() {
        try {
            Thread.sleep(Duration.ofMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }
}
