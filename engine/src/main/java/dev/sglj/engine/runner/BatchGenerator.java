package dev.sglj.engine.runner;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Generates a set of requests to completion with continuous batching: each step admits waiting
 * sequences whose whole KV need fits the pool, feeds every running sequence's pending tokens (prompt
 * chunks within the chunked-prefill budget, one token per decoding sequence) as one ragged batch,
 * samples where a sequence's last token was fed, and frees the slots and table row of each finished
 * sequence. Every slot is either free or owned by exactly one running sequence between steps.
 */
public final class BatchGenerator {
    private final ModelRunner runner;
    private final int chunkedPrefillSize;
    private final int[] eosTokenIds;
    private final TokenPicker picker;

    /**
     * @param chunkedPrefillSize most prompt tokens fed per step over all sequences; {@code <= 0} means
     *                           whole prompts at once
     */
    public BatchGenerator(ModelRunner runner, int chunkedPrefillSize, int[] eosTokenIds) {
        this.runner = runner;
        this.chunkedPrefillSize = chunkedPrefillSize <= 0 ? Integer.MAX_VALUE : chunkedPrefillSize;
        this.eosTokenIds = eosTokenIds.clone();
        this.picker = new TokenPicker(runner.config().vocabSize());
    }

    /** Results in request order; a request with {@code n > 1} yields {@code n} consecutive results. */
    public List<GenerateResult> generate(List<GenerateRequest> requests) {
        Deque<Sequence> waiting = expand(requests);
        GenerateResult[] results = new GenerateResult[waiting.size()];
        List<Sequence> running = new ArrayList<>();
        try {
            while (!waiting.isEmpty() || !running.isEmpty()) {
                admit(waiting, running);
                Step step = Step.build(running, chunkedPrefillSize, runner);
                float[] logits = runner.forward(step.batch());
                consume(step, logits);
                for (var it = running.iterator(); it.hasNext(); ) {
                    Sequence s = it.next();
                    if (s.finish != null) {
                        release(s);
                        results[s.resultIndex] = s.result();
                        it.remove();
                    }
                }
            }
        } finally {
            running.forEach(this::release);
        }
        return List.of(results);
    }

    private Deque<Sequence> expand(List<GenerateRequest> requests) {
        int contextLength = runner.reqToToken().maxContext();
        Deque<Sequence> out = new ArrayDeque<>();
        for (GenerateRequest r : requests) {
            SamplingParams p = r.params();
            p.validate(runner.config().vocabSize());
            long need = (long) r.inputIds().length + p.maxNewTokens();
            if (need > contextLength) {
                throw new IllegalArgumentException("prompt of " + r.inputIds().length + " tokens + max_new_tokens "
                        + p.maxNewTokens() + " exceeds the context length " + contextLength);
            }
            for (int id : r.inputIds()) {
                if (id < 0 || id >= runner.config().vocabSize()) {
                    throw new IllegalArgumentException("input id " + id + " is outside the vocabulary [0, "
                            + runner.config().vocabSize() + ")");
                }
            }
            for (int i = 0; i < p.n(); i++) out.add(new Sequence(out.size(), r, eosTokenIds));
        }
        for (Sequence s : out) {
            if (s.reservedTokens > runner.slots().size()) {
                throw new IllegalArgumentException("request needs " + s.reservedTokens
                        + " KV slots but the pool has " + runner.slots().size() + " (--max-total-tokens)");
            }
        }
        return out;
    }

    private void admit(Deque<Sequence> waiting, List<Sequence> running) {
        SlotAllocator slots = runner.slots();
        long outstanding = running.stream().mapToLong(Sequence::outstandingReservation).sum();
        while (!waiting.isEmpty()) {
            Sequence next = waiting.peek();
            if (slots.available() - outstanding < next.reservedTokens) break;
            int row = runner.reqToToken().allocRow();
            if (row < 0) break;
            waiting.poll();
            next.row = row;
            outstanding += next.reservedTokens;
            running.add(next);
        }
    }

    private void consume(Step step, float[] logits) {
        int vocab = runner.config().vocabSize();
        for (Step.Entry e : step.entries()) {
            Sequence s = e.sequence();
            if (s.wantsPromptLogprobs() && e.firstPosition() < s.promptLen) {
                recordPromptLogprobs(s, e, logits, vocab);
            }
            if (!e.samples()) continue;
            if (s.params().maxNewTokens() == 0) {
                s.finish = new FinishReason.Length(0);
                continue;
            }
            int row = e.logitIndex() + e.logitCount() - 1;
            TokenLogprob chosen = picker.pick(logits, row, s);
            s.append(chosen.tokenId());
            if (s.params().returnLogprob()) s.outputLogprobs.add(chosen);
            s.finish = finishReason(s, chosen.tokenId());
        }
    }

    private void recordPromptLogprobs(Sequence s, Step.Entry e, float[] logits, int vocab) {
        int start = s.params().logprobStartLen();
        if (e.firstPosition() == 0 && start == 0) {
            s.inputLogprobs.add(new TokenLogprob(s.token(0), null, List.of()));
        }
        for (int i = 0; i < e.logitCount(); i++) {
            int target = e.firstPosition() + i + 1;
            if (target >= s.promptLen || target < start) continue;
            s.inputLogprobs.add(picker.logprobOf(logits, e.logitIndex() + i, s.token(target),
                    s.params().topLogprobsNum()));
        }
    }

    private FinishReason finishReason(Sequence s, int token) {
        SamplingParams p = s.params();
        boolean minReached = s.outputCount() >= p.minNewTokens();
        if (!p.ignoreEos() && minReached && Arrays.stream(eosTokenIds).anyMatch(id -> id == token)) {
            return FinishReason.Stop.token(token);
        }
        if (minReached && p.stopTokenIds().contains(token)) return FinishReason.Stop.token(token);
        if (s.outputCount() >= p.maxNewTokens()) return new FinishReason.Length(p.maxNewTokens());
        return null;
    }

    private void release(Sequence s) {
        if (s.row < 0) return;
        runner.slots().free(s.ownedSlots());
        runner.reqToToken().freeRow(s.row);
        s.row = -1;
    }

    /** One forward pass worth of work and where each sequence's logits land. */
    record Step(ForwardBatch batch, List<Entry> entries) {
        record Entry(Sequence sequence, int firstPosition, int count, int logitIndex, int logitCount,
                     boolean samples) {}

        static Step build(List<Sequence> running, int prefillBudget, ModelRunner runner) {
            IntList ids = new IntList(), positions = new IntList(), loc = new IntList(), logitRows = new IntList();
            IntList rows = new IntList(), seqLens = new IntList(), prefixLens = new IntList(), extendLens = new IntList();
            IntList ropeLens = new IntList();
            List<Entry> entries = new ArrayList<>();
            int budget = prefillBudget;
            boolean anyPrefill = false, anyDecode = false;
            for (Sequence s : running) {
                int take = s.pendingTokens();
                if (s.prefilling()) {
                    take = Math.min(take, budget);
                    if (take == 0) continue;
                    budget -= take;
                    anyPrefill = true;
                } else {
                    anyDecode = true;
                }
                int first = s.cached();
                int[] newSlots = runner.slots().alloc(take);
                if (newSlots == null) throw new IllegalStateException("KV reservation violated: " + runner.slots());
                runner.reqToToken().write(s.row, first, newSlots);
                s.addCached(newSlots);
                int flatStart = ids.size();
                ids.addAll(s.tokens(first, first + take));
                for (int i = 0; i < take; i++) positions.add(first + i);
                loc.addAll(newSlots);
                rows.add(s.row);
                seqLens.add(first + take);
                prefixLens.add(first);
                extendLens.add(take);
                ropeLens.add(Math.max(s.promptLen, first + take));
                boolean samples = s.cached() == s.length();
                int logitIndex = logitRows.size();
                int logitFrom = s.wantsPromptLogprobs() && first < s.promptLen ? 0 : take - 1;
                boolean needsLogits = samples || logitFrom == 0;
                int logitCount = needsLogits ? take - logitFrom : 0;
                for (int i = logitFrom; needsLogits && i < take; i++) logitRows.add(flatStart + i);
                entries.add(new Entry(s, first, take, logitIndex, logitCount, samples));
            }
            ForwardMode mode = anyPrefill && anyDecode ? ForwardMode.MIXED
                    : anyPrefill ? ForwardMode.EXTEND : ForwardMode.DECODE;
            ForwardBatch batch = new ForwardBatch(mode, ids.toArray(), positions.toArray(), rows.toArray(),
                    seqLens.toArray(), prefixLens.toArray(), extendLens.toArray(), loc.toArray(), logitRows.toArray(),
                    ropeLens.toArray());
            return new Step(batch, entries);
        }
    }
}
