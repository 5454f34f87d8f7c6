package dev.sglj.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.engine.Engine;
import dev.sglj.engine.config.ServerArgs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A server started in-process on a free port, with a small HTTP client for the tests. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path FIXTURES = Path.of("../engine/src/test/resources/fixtures/models").toAbsolutePath().normalize();

    final SgljServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String apiKey;

    TestServer(SgljServer server) {
        this.server = server;
    }

    private static TestServer shared;

    /** One built-in-model server with default settings for all test classes of this JVM (never closed). */
    static synchronized TestServer shared() {
        if (shared == null) shared = builtin(ServerConfig.onPort(0));
        return shared;
    }

    /** The built-in model (real Qwen3 tokenizer) with a small KV pool. */
    static TestServer builtin(ServerConfig config) {
        return start(ServerArgs.builder().maxTotalTokens(8192).maxRunningRequests(32), config);
    }

    static TestServer start(ServerArgs.Builder args, ServerConfig config) {
        return new TestServer(SgljServer.start(Engine.start(args.build()), config));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The {@code data:} payloads of an SSE body, in order. */
        List<String> events() {
            List<String> out = new ArrayList<>();
            for (String line : body.split("\n")) if (line.startsWith("data:")) out.add(line.substring(5).trim());
            return out;
        }
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply post(String path, Object body) {
        try {
            return post(path, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        var b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    Reply send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
