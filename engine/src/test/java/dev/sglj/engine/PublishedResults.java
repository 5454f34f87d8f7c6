package dev.sglj.engine;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a request published on its stream, for tests that step a scheduler to completion on their own thread. */
public final class PublishedResults {
    private PublishedResults() {}

    /**
     * The request's tokens, finish reason, token counts and logprobs from its stream's outputs, which must
     * already end with a finished one (fails, not waits, otherwise).
     */
    public static GenerateResult collect(RequestStream s) {
        List<Integer> ids = new ArrayList<>();
        List<TokenLogprob> logprobs = new ArrayList<>();
        List<TokenLogprob> inputs = new ArrayList<>();
        try {
            while (true) {
                RequestOutput out = s.poll(0, TimeUnit.SECONDS);
                if (out == null) fail("request " + s.rid() + " did not finish");
                for (int id : out.newTokenIds()) ids.add(id);
                logprobs.addAll(out.newLogprobs());
                inputs.addAll(out.inputLogprobs());
                if (out.finished()) {
                    return new GenerateResult(ids.stream().mapToInt(Integer::intValue).toArray(), out.finishReason(),
                            out.promptTokens(), out.cachedTokens(), logprobs, inputs);
                }
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
