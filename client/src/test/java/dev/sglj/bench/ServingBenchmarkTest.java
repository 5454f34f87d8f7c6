package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.client.LlmHttpClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The benchmark against a scripted server whose chunk timings are known. */
class ServingBenchmarkTest {
    private static ServingBenchmark.Run run(StubLlmServer stub, Backend backend, List<DatasetRow> rows,
                                            double rate, Integer maxConcurrency, boolean stream, String extra,
                                            LocalTokenizer tokenizer) throws Exception {
        ServingBenchmark.Settings settings = new ServingBenchmark.Settings(backend, "stub-model", rate,
                maxConcurrency, 1, stream, true, ServingBenchCommand.parseExtraBody(extra), 1, false, Duration.ZERO);
        return new ServingBenchmark(new LlmHttpClient(stub.baseUrl(), null), settings, tokenizer,
                new PrintWriter(new StringWriter()), null).run(rows);
    }

    private static List<DatasetRow> rows(int n, int outputLen) {
        return Collections.nCopies(n, new DatasetRow("hello world", 2, outputLen));
    }

    /**
     * 4 requests of 5 tokens, 2 at a time: each gets its first token after 200 ms and one more every 50 ms, so
     * TTFT 200 ms, ITL 50 ms, E2E 400 ms, TPOT (400 - 200) / 4 = 50 ms, two waves of 0.4 s: duration 0.8 s,
     * concurrency 4 * 0.4 / 0.8 = 2, 20 tokens / 0.8 s = 25 tok/s, 5 req/s. On a busy machine the stub's sleeps
     * overshoot, so the figures are also checked, tightly, against the times the stub actually flushed each chunk.
     */
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"SGLANG", "SGLANG_OAI", "SGLANG_OAI_CHAT"})
    void reproducesTheScriptedTimings(Backend backend) throws Exception {
        try (StubLlmServer stub = new StubLlmServer(200, 50, 1, 17, null)) {
            ServingBenchmark.Run run = run(stub, backend, rows(4, 5), Double.POSITIVE_INFINITY, 2, true, null, null);
            ServingMetrics m = run.metrics();
            assertThat(m.completed()).isEqualTo(4);
            assertThat(m.totalOutput()).isEqualTo(20);
            assertThat(m.totalInput()).as("server-reported prompt tokens").isEqualTo(4 * 17);
            assertThat(stub.maxInFlight.get()).isEqualTo(2);

            List<StubLlmServer.Timeline> sent = new ArrayList<>(stub.timelines);
            sent.removeFirst(); // the warmup request
            double ttft = sent.stream().mapToDouble(StubLlmServer.Timeline::ttft).average().orElseThrow() * 1000;
            double e2e = sent.stream().mapToDouble(StubLlmServer.Timeline::latency).average().orElseThrow() * 1000;
            double itl = sent.stream().flatMap(t -> t.gaps().stream()).mapToDouble(d -> d).average().orElseThrow()
                    * 1000;
            double tpot = sent.stream().mapToDouble(t -> (t.latency() - t.ttft()) / 4).average().orElseThrow() * 1000;
            // the client's clock starts before the stub sees the request (connection, request write: tens of ms
            // on a busy 2-core CI machine) and stops after the flush arrives
            assertThat(m.meanTtftMs()).isBetween(ttft - 1, ttft + 60);
            assertThat(m.meanE2eLatencyMs()).isBetween(e2e - 1, e2e + 60);
            assertThat(m.meanItlMs()).isCloseTo(itl, within(10.0));
            assertThat(m.meanTpotMs()).isCloseTo(tpot, within(10.0));

            assertThat(m.meanTtftMs()).isCloseTo(200, within(60.0));
            assertThat(m.meanItlMs()).isCloseTo(50, within(15.0));
            assertThat(m.meanTpotMs()).isCloseTo(50, within(15.0));
            assertThat(m.meanE2eLatencyMs()).isCloseTo(400, within(100.0));
            assertThat(run.durationS()).isCloseTo(0.8, within(0.2));
            assertThat(m.concurrency()).isCloseTo(2.0, within(0.2));
            assertThat(m.outputThroughput()).isCloseTo(25, within(6.0));
            assertThat(m.requestThroughput()).isCloseTo(5, within(1.2));
            assertThat(m.outputThroughput()).isCloseTo(20 / run.durationS(), within(1e-9));
            assertThat(m.requestThroughput()).isCloseTo(4 / run.durationS(), within(1e-9));
            assertThat(m.concurrency()).isCloseTo(
                    run.outcomes().stream().mapToDouble(RequestOutcome::latency).sum() / run.durationS(), within(1e-9));
        }
    }

    /** Native chunks of 2 tokens every 50 ms after 200 ms: ITL 25 ms each, TPOT (300 - 200) / 5 = 20 ms. */
    @Test
    void nativeMultiTokenChunksSpreadTheirGap() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(200, 50, 2, 3, null)) {
            ServingMetrics m = run(stub, Backend.SGLANG, rows(2, 6), Double.POSITIVE_INFINITY, null, true, null, null)
                    .metrics();
            List<StubLlmServer.Timeline> sent = new ArrayList<>(stub.timelines);
            sent.removeFirst();
            double gap = sent.stream().flatMap(t -> t.gaps().stream()).mapToDouble(d -> d).average().orElseThrow();
            double tpot = sent.stream().mapToDouble(t -> (t.latency() - t.ttft()) / 5).average().orElseThrow();
            assertThat(m.meanItlMs()).as("each 2-token chunk's gap split in two").isCloseTo(gap / 2 * 1000,
                    within(4.0));
            assertThat(m.meanTpotMs()).isCloseTo(tpot * 1000, within(4.0));
            assertThat(m.meanItlMs()).isCloseTo(25, within(10.0));
            assertThat(m.meanTpotMs()).isCloseTo(20, within(8.0));
        }
    }

    @Test
    void nonStreamingRequestsHaveTtftEqualToLatencyAndNoItl() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(100, 20, 1, 3, null)) {
            ServingBenchmark.Run run = run(stub, Backend.SGLANG_OAI, rows(2, 4), Double.POSITIVE_INFINITY, null,
                    false, null, null);
            for (RequestOutcome o : run.outcomes()) {
                assertThat(o.ttft()).isEqualTo(o.latency());
                assertThat(o.latency()).as("the stub replies after 100 + 3 * 20 ms").isBetween(0.16, 0.4);
                assertThat(o.outputLen()).isEqualTo(4);
            }
            assertThat(run.metrics().meanItlMs()).isZero();
            assertThat(stub.bodies).allMatch(b -> !b.path("stream").asBoolean());
        }
    }

    @Test
    void maxConcurrencyIsNeverExceeded() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(30, 5, 1, 1, null)) {
            ServingBenchmark.Run run = run(stub, Backend.SGLANG, rows(24, 3), Double.POSITIVE_INFINITY, 3, true,
                    null, null);
            assertThat(run.metrics().completed()).isEqualTo(24);
            assertThat(stub.maxInFlight.get()).isEqualTo(3);
        }
        try (StubLlmServer stub = new StubLlmServer(30, 5, 1, 1, null)) {
            run(stub, Backend.SGLANG, rows(24, 3), Double.POSITIVE_INFINITY, null, true, null, null);
            assertThat(stub.maxInFlight.get()).as("uncapped, all sent at once").isGreaterThan(3);
        }
    }

    @Test
    void requestsAreSentAtTheSeededPoissonTimes() throws Exception {
        double rate = 40;
        int n = 60;
        double[] expected = new double[n];
        PoissonArrivals gaps = new PoissonArrivals(rate, new Random(1));
        for (int i = 1; i < n; i++) {
            expected[i] = expected[i - 1] + gaps.nextGap();
        }
        try (StubLlmServer stub = new StubLlmServer(1, 0, 1, 1, null)) {
            ServingBenchmark.Run run = run(stub, Backend.SGLANG, rows(n, 1), rate, null, true, null, null);
            for (int i = 0; i < n; i++) {
                // a busy machine may start a request's thread late, never early
                assertThat(run.outcomes().get(i).sentAt()).isBetween(expected[i] - 0.001, expected[i] + 0.15);
            }
            double span = run.outcomes().get(n - 1).sentAt() - run.outcomes().getFirst().sentAt();
            assertThat((n - 1) / span).as("achieved rate").isCloseTo(rate, within(rate * 0.3));
        }
    }

    @Test
    void requestBodiesCarryIgnoreEosModelAndExtraFields() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(1, 0, 1, 1, null)) {
            run(stub, Backend.SGLANG, rows(2, 3), Double.POSITIVE_INFINITY, null, true, "{\"return_logprob\":false}",
                    null);
            JsonNode body = stub.bodies.peek();
            assertThat(body.path("text").asText()).isEqualTo("hello world");
            assertThat(body.path("sampling_params").path("max_new_tokens").asInt()).isEqualTo(3);
            assertThat(body.path("sampling_params").path("ignore_eos").asBoolean()).isTrue();
            assertThat(body.path("return_logprob").isBoolean()).isTrue();
        }
        try (StubLlmServer stub = new StubLlmServer(1, 0, 1, 1, null)) {
            run(stub, Backend.SGLANG_OAI_CHAT, rows(1, 3), Double.POSITIVE_INFINITY, null, true, null, null);
            JsonNode body = stub.bodies.peek();
            assertThat(body.path("model").asText()).isEqualTo("stub-model");
            assertThat(body.path("messages").path(0).path("content").asText()).isEqualTo("hello world");
            assertThat(body.path("max_tokens").asInt()).isEqualTo(3);
            assertThat(body.has("ignore_eos")).as("SGLang's bench sends no ignore_eos to chat").isFalse();
        }
    }

    @Test
    void localTokenizerRecountsOutputsAndKeepsDatasetPromptLengths() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(1, 0, 1, 99, null);
             LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            ServingMetrics m = run(stub, Backend.SGLANG_OAI, rows(3, 7), Double.POSITIVE_INFINITY, null, true, null,
                    tokenizer).metrics();
            assertThat(m.totalInput()).isEqualTo(3 * 2);
            assertThat(m.totalOutput()).isEqualTo(21);
            assertThat(m.totalOutputRetokenized()).isEqualTo(21);
        }
    }

    @Test
    void anErrorEventOrStatusFailsTheRequest() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/generate", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = "data: {\"text\":\"a\",\"meta_info\":{\"completion_tokens\":1}}\n\ndata: {\"error\":{\"message\":\"out of memory\"}}\n\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v1/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":{\"message\":\"bad max_tokens\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(400, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            LlmHttpClient client = new LlmHttpClient(java.net.URI.create("http://127.0.0.1:"
                    + server.getAddress().getPort()), null);
            GenerationRequest request = new GenerationRequest("x", 4, true, true, List.of(), "m", null);
            RequestOutcome streamed = new RequestSender(client, new ApiShape.Native()).send(request, 1, System.nanoTime());
            assertThat(streamed.success()).isFalse();
            assertThat(streamed.error()).isEqualTo("server error: out of memory");
            RequestOutcome refused = new RequestSender(client, new ApiShape.Completions()).send(request, 1,
                    System.nanoTime());
            assertThat(refused.success()).isFalse();
            assertThat(refused.error()).startsWith("HTTP 400 from http://127.0.0.1:").endsWith("bad max_tokens\"}}");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void flushCacheIsPostedOnceBetweenWarmupAndRun() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(1, 0, 1, 1, null)) {
            ServingBenchmark.Settings settings = new ServingBenchmark.Settings(Backend.SGLANG, null,
                    Double.POSITIVE_INFINITY, null, 1, true, true, null, 1, true, Duration.ZERO);
            new ServingBenchmark(new LlmHttpClient(stub.baseUrl(), null), settings, null,
                    new PrintWriter(new StringWriter()), null).run(rows(2, 1));
            assertThat(stub.flushes.get()).isEqualTo(1);
            assertThat(stub.requests.get()).isEqualTo(3);
        }
    }

    @Test
    void warmupFailureIsReported() throws Exception {
        ServingBenchmark.Settings settings = new ServingBenchmark.Settings(Backend.SGLANG, null, 1, null, 1, true,
                true, null, 1, false, Duration.ZERO);
        LlmHttpClient nowhere = new LlmHttpClient(java.net.URI.create("http://127.0.0.1:1"), null);
        List<DatasetRow> data = new ArrayList<>(rows(1, 1));
        assertThatThrownBy(() -> new ServingBenchmark(nowhere, settings, null, new PrintWriter(new StringWriter()),
                null).run(data)).hasMessageStartingWith("Warmup failed");
    }
}
