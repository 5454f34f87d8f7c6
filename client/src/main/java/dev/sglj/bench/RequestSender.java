package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.client.LlmHttpClient;
import dev.sglj.client.SseEventReader;

/** Sends one generation over one API shape and measures it; failures become failed outcomes, never exceptions. */
public final class RequestSender {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlmHttpClient client;
    private final ApiShape shape;

    public RequestSender(LlmHttpClient client, ApiShape shape) {
        this.client = client;
        this.shape = shape;
    }

    /**
     * @param promptLen the dataset's prompt token count, carried into the outcome
     * @param originNanos the benchmark's start, for the outcome's {@code sentAt}
     */
    public RequestOutcome send(GenerationRequest request, int promptLen, long originNanos) {
        long start = System.nanoTime();
        double sentAt = (start - originNanos) / 1e9;
        StreamMeter meter = new StreamMeter(shape, start, request.maxTokens());
        try {
            if (request.stream()) {
                try (SseEventReader events = client.postForEvents(shape.path(), shape.payload(request))) {
                    String data;
                    while ((data = events.next()) != null) {
                        if (data.isBlank()) {
                            continue;
                        }
                        if (data.strip().equals("[DONE]")) {
                            meter.onEvent(System.nanoTime());
                            continue;
                        }
                        JsonNode json = JSON.readTree(data);
                        failOnError(json);
                        meter.onChunk(shape.parseEvent(json), System.nanoTime());
                    }
                }
            } else {
                JsonNode reply = client.postJson(shape.path(), shape.payload(request));
                failOnError(reply);
                meter.onReply(shape.parseReply(reply), System.nanoTime());
            }
            return meter.outcome(promptLen, sentAt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestOutcome.failed("interrupted", promptLen, sentAt, (System.nanoTime() - start) / 1e9);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return RequestOutcome.failed(message, promptLen, sentAt, (System.nanoTime() - start) / 1e9);
        }
    }

    /** A server that fails mid-stream sends an {@code error} object in place of a chunk. */
    private static void failOnError(JsonNode json) throws java.io.IOException {
        JsonNode error = json.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            String message = error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
            throw new java.io.IOException("server error: " + message);
        }
    }
}
