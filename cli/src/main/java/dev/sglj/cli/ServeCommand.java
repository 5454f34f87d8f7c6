package dev.sglj.cli;

import dev.sglj.engine.Engine;
import dev.sglj.server.ServerConfig;
import dev.sglj.server.SgljServer;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Logger;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code sglj serve}: the OpenAI-compatible and SGLang-native HTTP server (SGLang's launch_server). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over HTTP: OpenAI-compatible /v1/chat/completions, /v1/completions, /v1/models",
            "and SGLang's /generate, /health, /get_model_info, /get_server_info, /flush_cache, /abort_request, /metrics.",
            "With no --model-path it serves a built-in random-weight Qwen3-shaped model (answers gibberish)."})
final class ServeCommand implements Callable<Integer> {
    @ArgGroup(validate = false, heading = "%nModel and engine%n", order = 1)
    ServerOptions engine = new ServerOptions();

    @ArgGroup(validate = false, heading = "%nHTTP server%n", order = 2)
    HttpOptions http = new HttpOptions();

    @Override
    public Integer call() throws InterruptedException {
        var level = http.level();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler h : root.getHandlers()) h.setLevel(level);
        ServerConfig config = http.toServerConfig();
        Engine e = Engine.start(engine.toServerArgs());
        SgljServer server;
        try {
            server = SgljServer.start(e, config);
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "sglj-shutdown"));
        banner(System.out, server, config);
        stopped.await();
        return 0;
    }

    static void banner(PrintStream out, SgljServer server, ServerConfig config) {
        out.println(new Version().getVersion()[0] + " serving " + server.settings().get("served_model_name") + " at http://"
                + config.host() + ":" + server.port());
        for (Map.Entry<String, Object> e : server.settings().entrySet()) {
            out.printf("  %-26s %s%n", e.getKey(), e.getValue());
        }
        out.println("The server is fired up and ready to roll!");
        out.flush();
    }
}
