package dev.sglj.engine.sched;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.RequestOutput;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request inside the scheduler: its tokens (prompt, then output), how many have K/V in the pool,
 * the prefix-cache handle it holds locked, its table row, and what it has produced but not yet
 * published. Owned by the scheduler thread.
 *
 * <p>The request's slots are row {@code row} of the request-to-token table, positions
 * {@code [0, cached)}: the first {@code handle.length()} are the cache's, the rest the request's own.
 *
 * <p>Under the overlap schedule a request may have {@code pending} tokens: drawn by a launched step
 * whose results the scheduler has not processed yet, so not in {@code tokens}. The next step can feed
 * such a token all the same, by its {@code future} id ({@code -(i + 1)}: row {@code i} of that step's
 * draw), which the runner resolves where the token is.
 */
public final class Req {
    final String rid;
    final GenerateRequest request;
    final RequestStream stream;
    final RequestSampler sampler;
    final StopStringWatcher stopWatcher;
    final int promptLen;
    final long arrivalNanos;
    private int[] tokens;
    private int length;
    int row = -1;
    int cached;
    PrefixCache.Handle handle;
    int cachedTokens = -1;
    FinishReason finish;
    /** Tokens drawn by launched steps and not appended yet (0 or 1 between steps). */
    int pending;
    /** The input id that stands for the newest pending token. */
    int future;
    private final List<TokenLogprob> outputLogprobs = new ArrayList<>();
    private final List<TokenLogprob> inputLogprobs = new ArrayList<>();
    private int publishedTokens;
    private int publishedLogprobs;
    private boolean inputsPublished;

    /**
     * @param seedIfUnset seed of the request's random stream when {@code sampling_seed} is not given
     * @param stopWatcher null when the request has no stop strings
     */
    public Req(String rid, GenerateRequest request, RequestStream stream, int[] eosTokenIds, long seedIfUnset,
               StopStringWatcher stopWatcher) {
        this.rid = rid;
        this.request = request;
        this.stream = stream;
        this.sampler = new RequestSampler(request.params(), request.inputIds(), eosTokenIds, seedIfUnset);
        this.stopWatcher = stopWatcher;
        this.promptLen = request.inputIds().length;
        this.tokens = Arrays.copyOf(request.inputIds(), promptLen + Math.min(params().maxNewTokens(), 1024));
        this.length = promptLen;
        this.arrivalNanos = System.nanoTime();
    }

    public String rid() {
        return rid;
    }

    SamplingParams params() {
        return request.params();
    }

    int length() {
        return length;
    }

    int outputCount() {
        return length - promptLen;
    }

    /** Output tokens drawn so far, appended or still pending. */
    int drawnCount() {
        return outputCount() + pending;
    }

    /** The id fed at {@code position}: a known token, or the future id of the pending one right after them. */
    int inputId(int position) {
        if (position < length) return tokens[position];
        if (position == length && pending > 0) return future;
        throw new IllegalStateException("request " + rid + " has no token at position " + position + " (length "
                + length + ", pending " + pending + ")");
    }

    int[] tokens(int from, int to) {
        return Arrays.copyOfRange(tokens, from, to);
    }

    int[] allTokens() {
        return tokens(0, length);
    }

    int token(int position) {
        return tokens[position];
    }

    void append(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, length * 2);
        tokens[length++] = token;
    }

    /** Tokens still to be fed before the next sample. */
    int pendingTokens() {
        return length - cached;
    }

    /** Slots this request owns (not counting the cached prefix it holds locked). */
    int ownedSlots() {
        return cached - (handle == null ? 0 : handle.length());
    }

    /** Output tokens it may still generate, for the scheduler's future-token reservation. */
    int remainingNewTokens() {
        return Math.max(params().maxNewTokens() - drawnCount(), 0);
    }

    boolean wantsPromptLogprobs() {
        return params().returnLogprob() && params().logprobStartLen() >= 0;
    }

    void addOutputLogprob(TokenLogprob t) {
        outputLogprobs.add(t);
    }

    void addInputLogprob(TokenLogprob t) {
        inputLogprobs.add(t);
    }

    /** Forgets its KV after retraction; outputs are kept and recomputed as part of the prompt. */
    void resetKv() {
        row = -1;
        cached = 0;
        handle = null;
    }

    boolean hasUnpublished() {
        return publishedTokens < outputCount() || finish != null;
    }

    /** The output since the last one, marking it published. */
    RequestOutput takeOutput() {
        int[] ids = tokens(promptLen + publishedTokens, length);
        List<TokenLogprob> lps = List.copyOf(outputLogprobs.subList(publishedLogprobs, outputLogprobs.size()));
        List<TokenLogprob> inputs = inputsPublished ? List.of() : List.copyOf(inputLogprobs);
        inputsPublished = true;
        publishedTokens = outputCount();
        publishedLogprobs = outputLogprobs.size();
        return new RequestOutput(rid, ids, lps, inputs, promptLen, Math.max(cachedTokens, 0), outputCount(), finish);
    }
}
