package dev.sglj.engine.runner;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence being generated: its tokens (prompt then output), how many of them have K/V in the
 * pool, the slots holding that K/V, and what it has produced so far.
 */
final class Sequence {
    final int resultIndex;
    final GenerateRequest request;
    final int promptLen;
    final int reservedTokens;
    final RequestSampler sampler;
    int row = -1;
    private int[] tokens;
    private int length;
    private int[] slots;
    private int cached;
    FinishReason finish;
    final List<TokenLogprob> outputLogprobs = new ArrayList<>();
    final List<TokenLogprob> inputLogprobs = new ArrayList<>();

    Sequence(int resultIndex, GenerateRequest request, int[] eosTokenIds) {
        this.resultIndex = resultIndex;
        this.request = request;
        this.sampler = new RequestSampler(request.params(), request.inputIds(), eosTokenIds);
        this.promptLen = request.inputIds().length;
        this.reservedTokens = promptLen + Math.max(params().maxNewTokens() - 1, 0);
        this.tokens = Arrays.copyOf(request.inputIds(), promptLen + params().maxNewTokens());
        this.length = promptLen;
        this.slots = new int[Math.max(reservedTokens, 1)];
    }

    SamplingParams params() {
        return request.params();
    }

    int length() {
        return length;
    }

    int token(int position) {
        return tokens[position];
    }

    int[] tokens(int from, int to) {
        return Arrays.copyOfRange(tokens, from, to);
    }

    int outputCount() {
        return length - promptLen;
    }

    /** Positions whose K/V are in the pool. */
    int cached() {
        return cached;
    }

    boolean prefilling() {
        return cached < promptLen;
    }

    /** Tokens still to be fed to the model before the next sample. */
    int pendingTokens() {
        return length - cached;
    }

    /** Slots not yet taken of this sequence's reservation. */
    int outstandingReservation() {
        return reservedTokens - cached;
    }

    void addCached(int[] newSlots) {
        System.arraycopy(newSlots, 0, slots, cached, newSlots.length);
        cached += newSlots.length;
    }

    void append(int token) {
        tokens[length++] = token;
    }

    int[] ownedSlots() {
        return Arrays.copyOf(slots, cached);
    }

    boolean wantsPromptLogprobs() {
        return params().returnLogprob() && params().logprobStartLen() >= 0;
    }

    GenerateResult result() {
        return new GenerateResult(tokens(promptLen, length), finish, promptLen, 0,
                List.copyOf(outputLogprobs), List.copyOf(inputLogprobs));
    }
}
