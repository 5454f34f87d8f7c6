package dev.sglj.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the arrival times of one request's chunks into TTFT, ITL and latency, exactly as SGLang's
 * bench_serving does for each API shape. All times are {@link System#nanoTime()} values.
 */
final class StreamMeter {
    private final boolean nativeShape;
    private final long start;
    private final List<Double> itl = new ArrayList<>();
    private final List<RequestOutcome.TokenArrival> arrivals = new ArrayList<>();
    private String text = "";
    private boolean sawText;
    private double ttft;
    private long mostRecent;
    private long lastEvent;
    private int outputLen;
    private int lastOutputLen;
    private int promptTokens = -1;

    StreamMeter(ApiShape shape, long startNanos, int requestedOutputLen) {
        this.nativeShape = shape instanceof ApiShape.Native;
        this.start = startNanos;
        this.mostRecent = startNanos;
        this.lastEvent = startNanos;
        this.outputLen = requestedOutputLen;
    }

    /** Any event arrived (including {@code [DONE]}): the request's latency runs at least until now. */
    void onEvent(long now) {
        lastEvent = now;
    }

    void onChunk(Chunk chunk, long now) {
        onEvent(now);
        if (chunk.promptTokens() >= 0) {
            promptTokens = chunk.promptTokens();
        }
        if (nativeShape) {
            onNativeChunk(chunk, now);
        } else {
            onOpenAiChunk(chunk, now);
        }
    }

    /** A whole non-streamed reply: its arrival is both the first token and the end. */
    void onReply(Chunk reply, long now) {
        onEvent(now);
        if (reply.promptTokens() >= 0) {
            promptTokens = reply.promptTokens();
        }
        text = reply.text();
        if (reply.completionTokens() >= 0) {
            outputLen = reply.completionTokens();
        }
        ttft = seconds(now - start);
        sawText = true;
        arrivals.add(new RequestOutcome.TokenArrival(ttft, outputLen));
    }

    private void onNativeChunk(Chunk chunk, long now) {
        if (chunk.text().isEmpty()) {
            return;
        }
        text = chunk.text().startsWith(text) ? chunk.text() : text + chunk.text();
        int tokens = chunk.completionTokens() >= 0 ? chunk.completionTokens() : lastOutputLen + 1;
        if (!sawText) {
            sawText = true;
            ttft = seconds(now - start);
            arrivals.add(new RequestOutcome.TokenArrival(ttft, tokens));
        } else {
            int newTokens = tokens - lastOutputLen;
            if (newTokens <= 0) {
                return;
            }
            double gap = seconds(now - mostRecent) / newTokens;
            for (int i = 0; i < newTokens; i++) {
                itl.add(gap);
            }
            arrivals.add(new RequestOutcome.TokenArrival(seconds(now - start), newTokens));
        }
        outputLen = tokens;
        mostRecent = now;
        lastOutputLen = tokens;
    }

    private void onOpenAiChunk(Chunk chunk, long now) {
        if (chunk.completionTokens() >= 0) {
            outputLen = chunk.completionTokens();
        }
        if (chunk.text().isEmpty()) {
            return;
        }
        if (!sawText) {
            sawText = true;
            ttft = seconds(now - start);
        } else {
            itl.add(seconds(now - mostRecent));
        }
        arrivals.add(new RequestOutcome.TokenArrival(seconds(now - start), 1));
        mostRecent = now;
        text += chunk.text();
    }

    RequestOutcome outcome(int promptLen, double sentAt) {
        return new RequestOutcome(true, text, seconds(lastEvent - start), ttft, itl, promptLen, outputLen,
                promptTokens, "", sentAt, arrivals);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
