package dev.sglj.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The outputs of one submitted request as the scheduler produces them, for one consumer thread.
 * {@link #abort()} asks the scheduler to stop the request; a final output with an abort reason follows.
 */
public final class RequestStream {
    private final String rid;
    private final LinkedBlockingQueue<RequestOutput> queue = new LinkedBlockingQueue<>();
    private final Consumer<String> aborter;

    public RequestStream(String rid, Consumer<String> aborter) {
        this.rid = rid;
        this.aborter = aborter;
    }

    public String rid() {
        return rid;
    }

    /** Called by the scheduler thread. */
    public void publish(RequestOutput output) {
        queue.add(output);
    }

    /** The next output, waiting for it. */
    public RequestOutput take() throws InterruptedException {
        return queue.take();
    }

    /** The next output, or null after the timeout. */
    public RequestOutput poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    public void abort() {
        aborter.accept(rid);
    }

    /** Waits for the request to finish and gathers everything it produced. */
    public GenerateResult await() throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        List<TokenLogprob> logprobs = new ArrayList<>();
        List<TokenLogprob> inputLogprobs = new ArrayList<>();
        while (true) {
            RequestOutput out = take();
            for (int id : out.newTokenIds()) ids.add(id);
            logprobs.addAll(out.newLogprobs());
            inputLogprobs.addAll(out.inputLogprobs());
            if (out.finished()) {
                return new GenerateResult(ids.stream().mapToInt(Integer::intValue).toArray(), out.finishReason(),
                        out.promptTokens(), out.cachedTokens(), List.copyOf(logprobs), List.copyOf(inputLogprobs));
            }
        }
    }
}
