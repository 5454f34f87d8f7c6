package dev.sglj.server;

import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

/** An SSE response: {@code data: <json>} events, then {@code data: [DONE]}. Notices a client that went away. */
final class Sse implements AutoCloseable {
    private final SseSink sink;
    private boolean open = true;

    Sse(ServerResponse res) {
        this.sink = res.sink(SseSink.TYPE);
    }

    /**
     * Sends one event as {@code data: <data>}; false once the client is gone (then the caller aborts its work).
     * The space after the colon is what SGLang writes and what clients that strip {@code "data: "} expect.
     */
    boolean emit(String data) {
        if (!open) return false;
        try {
            sink.emit(SseEvent.create(" " + data));
            return true;
        } catch (RuntimeException e) {
            open = false;
            return false;
        }
    }

    boolean json(Object body) {
        return emit(Http.string(body));
    }

    boolean done() {
        return emit("[DONE]");
    }

    @Override
    public void close() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            open = false;
        }
    }
}
