package dev.sglj.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.config.ServerArgs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Disconnects, the waiting-queue limit, metrics and draining, on a transformers fixture model. */
class ProductionBehaviourTest {

    private static TestServer fixture(ServerConfig config, Integer maxRunning) {
        return TestServer.start(ServerArgs.builder().modelPath(TestServer.FIXTURES.resolve("qwen3"))
                .maxTotalTokens(4096).maxRunningRequests(maxRunning), config);
    }

    private static String generateBody(int maxNewTokens, boolean stream) {
        return "{\"input_ids\": [5, 6, 7, 8], \"stream\": " + stream + ", \"sampling_params\": {\"max_new_tokens\": "
                + maxNewTokens + ", \"ignore_eos\": true, \"temperature\": 1.0}}";
    }

    /**
     * Sends a request on a raw socket and hangs up: a streaming one after reading {@code cut} bytes of the
     * response (or at its end), a non-streaming one after {@code cut / 20} milliseconds.
     */
    private static void hangUpAfter(int port, String body, boolean stream, int cut) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            if (!stream) {
                Thread.sleep(cut / 20);
                return;
            }
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            int c;
            while (seen.length() < cut && (c = in.read()) >= 0) {
                seen.append((char) c);
                if (c == '\n' && seen.toString().endsWith("[DONE]\n")) break;
            }
        }
    }

    @Test
    void disconnectedClientsFreeTheirSlots() throws Exception {
        try (TestServer s = fixture(ServerConfig.onPort(0).withMetrics(true), 16)) {
            SplittableRandom random = new SplittableRandom(1);
            try (var pool = Executors.newFixedThreadPool(16)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int cut = random.nextInt(50, 6000);
                    boolean stream = random.nextInt(4) != 0;
                    futures.add(pool.submit(() -> {
                        hangUpAfter(s.server.port(), generateBody(240, stream), stream, cut);
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (s.server.inFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(s.server.inFlight()).isZero();
            assertThat(s.server.engine().stats().abortedRequests()).isPositive();
            assertThat(s.server.engine().flushCache()).isTrue();
            assertThat(s.server.engine().stats().usedTokens()).isZero();
            assertThat(s.post("/generate", generateBody(3, false)).status()).isEqualTo(200);

            String metrics = s.get("/metrics").body();
            assertThat(metrics).contains("sglang:num_requests_total{model_name=")
                    .contains("sglang:num_aborted_requests_total{")
                    .contains("sglang:time_to_first_token_seconds_bucket{")
                    .contains("sglang:inter_token_latency_seconds_count{")
                    .contains("sglang:e2e_request_latency_seconds_sum{")
                    .contains("sglang:num_running_reqs{")
                    .contains("sglang:token_usage{")
                    .contains("sglang:max_total_num_tokens{");
        }
    }

    @Test
    void overTheQueueLimitAnswers503WithRetryAfter() throws Exception {
        try (TestServer s = fixture(ServerConfig.onPort(0).withMaxQueuedRequests(2), 1)) {
            assertThat(s.get("/metrics").status()).isEqualTo(404);
            List<TestServer.Reply> replies = new ArrayList<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<TestServer.Reply>> futures = new ArrayList<>();
                for (int i = 0; i < 20; i++) futures.add(pool.submit(() -> s.post("/generate", generateBody(240, false))));
                for (var f : futures) replies.add(f.get());
            }
            List<TestServer.Reply> rejected = replies.stream().filter(r -> r.status() == 503).toList();
            assertThat(rejected).isNotEmpty();
            assertThat(replies).allMatch(r -> r.status() == 200 || r.status() == 503);
            for (var r : rejected) {
                assertThat(r.headers().firstValue("retry-after")).hasValue("1");
                assertThat(r.json().get("error").get("message").asText()).contains("waiting queue is full");
            }
        }
    }

    @Test
    void shutdownDrainsInFlightRequests() throws Exception {
        TestServer s = fixture(ServerConfig.onPort(0), 4);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TestServer.Reply> inFlight = pool.submit(() -> s.post("/generate", generateBody(240, true)));
            while (s.server.inFlight() == 0) Thread.sleep(1);
            Future<?> shutdown = pool.submit(s.server::shutdown);
            TestServer.Reply r = inFlight.get();
            shutdown.get();
            assertThat(r.status()).isEqualTo(200);
            List<String> events = r.events();
            assertThat(events.getLast()).isEqualTo("[DONE]");
            var last = NativeApiTest.parse(events.get(events.size() - 2));
            assertThat(last.get("meta_info").get("finish_reason").get("type").asText()).isEqualTo("length");
            assertThat(last.get("output_ids")).hasSize(240);
        }
    }

    @Test
    void abortRequestStopsARunningRequestByRid() throws Exception {
        try (TestServer s = fixture(ServerConfig.onPort(0), 4)) {
            String body = "{\"input_ids\": [5, 6, 7], \"rid\": \"victim\", \"stream\": true, \"sampling_params\":"
                    + " {\"max_new_tokens\": 250, \"ignore_eos\": true, \"temperature\": 1.0}}";
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<TestServer.Reply> victim = pool.submit(() -> s.post("/generate", body));
                while (s.server.inFlight() == 0) Thread.sleep(1);
                assertThat(s.post("/abort_request", "{\"rid\": \"victim\"}").status()).isEqualTo(200);
                List<String> events = victim.get().events();
                var last = NativeApiTest.parse(events.get(events.size() - 2));
                assertThat(last.get("meta_info").get("id").asText()).isEqualTo("victim");
                assertThat(last.get("meta_info").get("finish_reason").get("type").asText()).isEqualTo("abort");
                assertThat(last.get("output_ids").size()).isLessThan(250);
            }
        }
    }

    @Test
    void drainingServerRefusesNewRequests() {
        try (TestServer s = fixture(ServerConfig.onPort(0), 4)) {
            s.server.beginDrain();
            var r = s.post("/generate", generateBody(2, false));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(s.get("/health").status()).isEqualTo(503);
        }
    }
}
