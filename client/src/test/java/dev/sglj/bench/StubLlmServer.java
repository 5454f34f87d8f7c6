package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted LLM server for tests: it speaks the native /generate, /v1/completions and /v1/chat/completions
 * APIs (streamed or not), sends the first chunk {@code ttftMs} after a request arrives and then one chunk per
 * {@code tokensPerChunk} tokens every {@code gapMs}, producing exactly the requested number of tokens
 * ("tok0 tok1 ..."), or the text {@code answer} returns for a prompt. It counts requests in flight.
 */
final class StubLlmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final int ttftMs;
    final int gapMs;
    final int tokensPerChunk;
    final int promptTokens;
    private final Function<String, String> answer;
    private final HttpServer server;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final ConcurrentLinkedQueue<JsonNode> bodies = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Timeline> timelines = new ConcurrentLinkedQueue<>();

    /**
     * When a streamed request arrived and when each of its token chunks and its final events were flushed
     * ({@link System#nanoTime()}, the same clock the benchmark reads in this JVM).
     */
    record Timeline(long received, List<Long> tokenChunks, long lastEvent) {
        double ttft() {
            return (tokenChunks.getFirst() - received) / 1e9;
        }

        double latency() {
            return (lastEvent - received) / 1e9;
        }

        List<Double> gaps() {
            List<Double> gaps = new java.util.ArrayList<>();
            for (int i = 1; i < tokenChunks.size(); i++) {
                gaps.add((tokenChunks.get(i) - tokenChunks.get(i - 1)) / 1e9);
            }
            return gaps;
        }
    }

    /** @param answer the whole reply for a prompt, or null to stream "tok0 tok1 ..." of the requested length */
    StubLlmServer(int ttftMs, int gapMs, int tokensPerChunk, int promptTokens, Function<String, String> answer)
            throws IOException {
        this.ttftMs = ttftMs;
        this.gapMs = gapMs;
        this.tokensPerChunk = tokensPerChunk;
        this.promptTokens = promptTokens;
        this.answer = answer;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/generate", ex -> serve(ex, Shape.NATIVE));
        server.createContext("/v1/completions", ex -> serve(ex, Shape.COMPLETIONS));
        server.createContext("/v1/chat/completions", ex -> serve(ex, Shape.CHAT));
        server.createContext("/flush_cache", ex -> {
            flushes.incrementAndGet();
            reply(ex, "{}");
        });
        server.createContext("/v1/models", ex -> reply(ex, "{\"object\":\"list\",\"data\":[{\"id\":\"stub-model\"}]}"));
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private enum Shape { NATIVE, COMPLETIONS, CHAT }

    private void serve(HttpExchange ex, Shape shape) throws IOException {
        long received = System.nanoTime();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        requests.incrementAndGet();
        try {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            bodies.add(body);
            String prompt = shape == Shape.NATIVE ? body.path("text").asText()
                    : shape == Shape.COMPLETIONS ? body.path("prompt").asText()
                    : body.path("messages").path(0).path("content").asText();
            int maxTokens = shape == Shape.NATIVE ? body.path("sampling_params").path("max_new_tokens").asInt()
                    : body.path("max_tokens").asInt();
            List<String> tokens = answer != null ? List.of(answer.apply(prompt).split("(?<= )"))
                    : java.util.stream.IntStream.range(0, maxTokens).mapToObj(i -> "tok" + i + " ").toList();
            if (body.path("stream").asBoolean(false)) {
                stream(ex, shape, tokens, received);
            } else {
                sleep(ttftMs + (long) gapMs * Math.max(0, (tokens.size() - 1) / tokensPerChunk));
                reply(ex, JSON.writeValueAsString(whole(shape, String.join("", tokens), tokens.size())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    private void stream(HttpExchange ex, Shape shape, List<String> tokens, long received)
            throws IOException, InterruptedException {
        List<Long> flushes = new java.util.ArrayList<>();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        sleep(ttftMs);
        StringBuilder text = new StringBuilder();
        for (int sent = 0; sent < tokens.size(); ) {
            if (sent > 0) {
                sleep(gapMs);
            }
            int n = Math.min(tokensPerChunk, tokens.size() - sent);
            String piece = String.join("", tokens.subList(sent, sent + n));
            sent += n;
            text.append(piece);
            ObjectNode event = switch (shape) {
                case NATIVE -> nativeEvent(text.toString(), sent);
                case COMPLETIONS -> {
                    ObjectNode e = JSON.createObjectNode();
                    e.putArray("choices").addObject().put("index", 0).put("text", piece);
                    yield e;
                }
                case CHAT -> {
                    ObjectNode e = JSON.createObjectNode();
                    e.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", piece);
                    yield e;
                }
            };
            send(out, JSON.writeValueAsString(event));
            flushes.add(System.nanoTime());
        }
        if (shape != Shape.NATIVE) {
            ObjectNode usage = JSON.createObjectNode();
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", tokens.size());
            send(out, JSON.writeValueAsString(usage));
        }
        send(out, "[DONE]");
        timelines.add(new Timeline(received, flushes, System.nanoTime()));
    }

    private ObjectNode nativeEvent(String text, int completionTokens) {
        ObjectNode e = JSON.createObjectNode();
        e.put("text", text);
        e.putObject("meta_info").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens);
        return e;
    }

    private ObjectNode whole(Shape shape, String text, int completionTokens) {
        if (shape == Shape.NATIVE) {
            return nativeEvent(text, completionTokens);
        }
        ObjectNode r = JSON.createObjectNode();
        ObjectNode choice = r.putArray("choices").addObject().put("index", 0);
        if (shape == Shape.COMPLETIONS) {
            choice.put("text", text);
        } else {
            choice.putObject("message").put("role", "assistant").put("content", text);
        }
        r.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens);
        return r;
    }

    private static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void reply(HttpExchange ex, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static void sleep(long ms) throws InterruptedException {
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
