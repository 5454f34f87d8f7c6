package dev.sglj.server;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.RequestOutput;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.tokenizer.StopStringMatcher;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one sample's engine outputs into text deltas: incremental detokenization, then the stop-string
 * matcher, which holds back any tail that could begin a stop string and cuts the text at the first match.
 * The concatenated deltas are the final text. Not thread-safe: one per sample.
 */
final class ChoiceDecoder {
    /** What one engine output added: text safe to send, the new tokens and logprobs, and the finish once done. */
    record Delta(String text, int[] tokenIds, List<TokenLogprob> logprobs, FinishReason finish) {}

    private final IncrementalDetokenizer detokenizer;
    private final StopStringMatcher matcher;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> ids = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private final List<TokenLogprob> inputLogprobs = new ArrayList<>();
    private int promptTokens;
    private int cachedTokens;
    private FinishReason finish;

    ChoiceDecoder(TextLayer text, SamplingParams params) {
        this.detokenizer = text.detokenizer(params.skipSpecialTokens());
        this.matcher = params.stop().isEmpty() || detokenizer == null ? null
                : new StopStringMatcher(params.stop(), params.noStopTrim());
    }

    /** Feeds one output; after a stop string matched, later text is dropped. */
    Delta accept(RequestOutput out) {
        promptTokens = out.promptTokens();
        cachedTokens = out.cachedTokens();
        inputLogprobs.addAll(out.inputLogprobs());
        for (int id : out.newTokenIds()) ids.add(id);
        logprobs.addAll(out.newLogprobs());
        StringBuilder delta = new StringBuilder();
        if (detokenizer != null && !stopped()) {
            String piece = detokenizer.push(out.newTokenIds());
            if (out.finished()) piece += detokenizer.finish();
            delta.append(filter(piece));
            if (out.finished() && matcher != null && !stopped()) delta.append(matcher.finish());
        }
        if (out.finished()) finish = finishReason(out.finishReason());
        text.append(delta);
        return new Delta(delta.toString(), out.newTokenIds(), out.newLogprobs(), out.finished() ? finish : null);
    }

    private String filter(String piece) {
        if (matcher == null) return piece;
        return matcher.push(piece).text();
    }

    /**
     * A stop string the server saw wins over the engine's reason: they agree unless text came out only at the
     * end, or the server aborted the request itself on seeing the stop first.
     */
    private FinishReason finishReason(FinishReason engine) {
        if (stopped()) {
            return FinishReason.Stop.text(matcher.matched());
        }
        return engine;
    }

    boolean stopped() {
        return matcher != null && matcher.matched() != null;
    }

    String text() {
        return text.toString();
    }

    int[] outputIds() {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    List<TokenLogprob> logprobs() {
        return logprobs;
    }

    List<TokenLogprob> inputLogprobs() {
        return inputLogprobs;
    }

    int promptTokens() {
        return promptTokens;
    }

    int cachedTokens() {
        return cachedTokens;
    }

    int completionTokens() {
        return ids.size();
    }

    FinishReason finish() {
        return finish;
    }
}
